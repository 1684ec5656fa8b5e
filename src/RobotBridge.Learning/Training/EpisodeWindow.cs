namespace RobotBridge.Learning.Training;

/// <summary>Success and return of the most recent episodes (a fixed-size ring, 100 by default).</summary>
public sealed class EpisodeWindow(int size = 100)
{
    private readonly bool[] _success = new bool[size];
    private readonly double[] _return = new double[size];
    private int _count;
    private int _next;

    public long Episodes { get; private set; }

    public void Add(bool success, double episodeReturn)
    {
        _success[_next] = success;
        _return[_next] = episodeReturn;
        _next = (_next + 1) % _success.Length;
        _count = Math.Min(_count + 1, _success.Length);
        Episodes++;
    }

    /// <summary>A resumed run counts on from the episodes before its checkpoint (the window itself starts empty).</summary>
    public void ContinueFrom(long episodes) => Episodes = episodes;

    public double SuccessRate => _count == 0 ? 0 : _success.Take(_count).Count(s => s) / (double)_count;
    public double MeanReturn => _count == 0 ? 0 : _return.Take(_count).Average();
}
