using RobotBridge.Tasks;

namespace RobotBridge.Cli.Composition;

/// <summary>Asks the operator at the terminal: Enter confirms, "n" refuses.</summary>
internal sealed class ConsoleOperatorPrompt(TextReader input, TextWriter output) : IOperatorPrompt
{
    public bool Confirm(string request, CancellationToken cancellationToken = default)
    {
        output.WriteLine($"[operator] {request} Press Enter when done (n to abort).");
        cancellationToken.ThrowIfCancellationRequested();
        string? answer = input.ReadLine();
        return answer is not null && !answer.Trim().Equals("n", StringComparison.OrdinalIgnoreCase);
    }
}
