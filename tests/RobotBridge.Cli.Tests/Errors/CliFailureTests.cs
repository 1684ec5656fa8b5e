namespace RobotBridge.Cli.Tests.Errors;

/// <summary>The top-level handler's mapping: known failures are one line with their exit code, anything
/// else is an "internal error" line naming a log file that holds the stack trace.</summary>
public sealed class CliFailureTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("rb-cli-failure-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void A_bug_is_an_internal_error_line_with_its_trace_in_a_log_file()
    {
        Exception bug;
        try
        {
            string? nothing = null;
            _ = nothing!.Length;
            throw new InvalidOperationException("unreachable");
        }
        catch (NullReferenceException e)
        {
            bug = e;
        }
        var failure = CliFailure.Of(bug, _dir);

        Assert.Equal(CliFailure.InternalError, failure.ExitCode);
        Assert.StartsWith("internal error: System.NullReferenceException: ", failure.Message);
        Assert.DoesNotContain('\n', failure.Message);
        string log = Assert.Single(Directory.GetFiles(_dir, "error-*.log"));
        Assert.Contains($"(details in {log})", failure.Message);
        Assert.Contains(nameof(A_bug_is_an_internal_error_line_with_its_trace_in_a_log_file), File.ReadAllText(log)); // the stack trace
    }

    [Fact]
    public void Known_failures_are_one_line_without_a_log()
    {
        Assert.Equal(new CliFailure(CliFailure.InputError, "'x.rbpolicy' is damaged"), CliFailure.Of(new InvalidDataException("'x.rbpolicy' is damaged"), _dir));
        Assert.Equal(new CliFailure(CliFailure.InputError, "permission denied: Access to the path '/root/x' is denied."),
            CliFailure.Of(new UnauthorizedAccessException("Access to the path '/root/x' is denied."), _dir));
        Assert.Equal(new CliFailure(CliFailure.InputError, "disk full; retry later"), CliFailure.Of(new AggregateException(new IOException("disk full\nretry later")), _dir));
        Assert.Equal(Program.UsageError, CliFailure.Of(new CliUsageException("--x must be 1"), _dir).ExitCode);
        Assert.Equal(CliFailure.Cancelled, CliFailure.Of(new OperationCanceledException(), _dir).ExitCode);
        Assert.Empty(Directory.GetFiles(_dir));
    }
}
