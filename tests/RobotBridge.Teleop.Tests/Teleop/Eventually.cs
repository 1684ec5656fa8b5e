namespace RobotBridge.Teleop.Tests.Teleop;

internal static class Eventually
{
    /// <summary>Polls <paramref name="condition"/> until true or <paramref name="timeout"/>; fails with <paramref name="what"/>.</summary>
    public static Task True(Func<bool> condition, string what, double timeoutSeconds = 5) =>
        True(condition, () => what, timeoutSeconds);

    /// <summary>As above; <paramref name="what"/> is evaluated at the failure, so it can say what was seen instead.</summary>
    public static async Task True(Func<bool> condition, Func<string> what, double timeoutSeconds = 5)
    {
        var deadline = DateTime.UtcNow.AddSeconds(timeoutSeconds);
        while (!condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                Assert.Fail($"timed out after {timeoutSeconds} s waiting for: {what()}");
            }
            await Task.Delay(5);
        }
    }
}
