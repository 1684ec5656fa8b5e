using System.Globalization;
using System.Reflection;
using System.Text.Json;
using System.Xml;

namespace RobotBridge.Cli;

/// <summary>
/// Raised by a command for a bad option value or combination found once it runs (what the parser
/// could not check): one line naming the option, exit code <see cref="Program.UsageError"/>.
/// </summary>
public sealed class CliUsageException(string message) : Exception(message);

/// <summary>
/// What the user sees when a command fails with an exception: one line and an exit code. Known
/// failures (files, formats, permissions, values the libraries refused, the project's own errors)
/// say what went wrong; anything else is a bug, reported as "internal error" with its stack trace
/// written to a log file the line names, never to the console.
/// </summary>
public sealed record CliFailure(int ExitCode, string Message)
{
    /// <summary>Exit code for a failure of the input the user gave (a file, a value a library refused).</summary>
    public const int InputError = 1;

    /// <summary>Exit code of an internal error (sysexits' EX_SOFTWARE).</summary>
    public const int InternalError = 70;

    /// <summary>Exit code after Ctrl+C (128 + SIGINT, as shells report it).</summary>
    public const int Cancelled = 130;

    /// <summary>Environment variable naming the folder for internal-error logs (default: $XDG_STATE_HOME/robotbridge, else ~/.local/state/robotbridge).</summary>
    public const string LogDirectoryVariable = "ROBOTBRIDGE_LOG_DIR";

    public static CliFailure Of(Exception exception, string? logDirectory = null)
    {
        Exception e = Unwrap(exception);
        return e switch
        {
            CliUsageException => new(Program.UsageError, OneLine(e.Message)),
            OperationCanceledException => new(Cancelled, "cancelled"),
            UnauthorizedAccessException => new(InputError, $"permission denied: {OneLine(e.Message)}"),
            _ when IsKnown(e) => new(InputError, OneLine(e.Message)),
            _ => Internal(exception, e, logDirectory),
        };
    }

    /// <summary>Exceptions whose message is written for the user: IO and format errors, values a
    /// library refused, and every exception type this project defines (they carry their fix).</summary>
    private static bool IsKnown(Exception e) =>
        e is IOException or InvalidDataException or FormatException or JsonException or XmlException or ArgumentException
            or NotSupportedException or System.Net.Sockets.SocketException or System.Security.Cryptography.CryptographicException
            or OutOfMemoryException
        || (e.GetType().Namespace?.StartsWith("RobotBridge", StringComparison.Ordinal) ?? false);

    private static Exception Unwrap(Exception e)
    {
        while (true)
        {
            switch (e)
            {
                case AggregateException { InnerExceptions.Count: 1 } a:
                    e = a.InnerExceptions[0];
                    break;
                case TargetInvocationException { InnerException: { } inner }:
                    e = inner;
                    break;
                default:
                    return e;
            }
        }
    }

    private static CliFailure Internal(Exception original, Exception e, string? logDirectory)
    {
        string where;
        try
        {
            where = WriteLog(original, logDirectory);
        }
        catch (Exception logError) when (logError is IOException or UnauthorizedAccessException)
        {
            where = $"no log written: {OneLine(logError.Message)}";
        }
        return new(InternalError, $"internal error: {e.GetType().FullName}: {OneLine(e.Message)} (details in {where})");
    }

    private static string WriteLog(Exception e, string? directory)
    {
        directory ??= DefaultLogDirectory();
        Directory.CreateDirectory(directory);
        string path = Path.Combine(directory,
            string.Create(CultureInfo.InvariantCulture, $"error-{DateTime.UtcNow:yyyyMMdd-HHmmss}-{Environment.ProcessId}.log"));
        // The command line is left out: it may hold a password (--password).
        File.WriteAllText(path,
            $"robotbridge {typeof(Program).Assembly.GetName().Version} internal error at {DateTime.UtcNow:O} UTC\n" +
            $"{Environment.OSVersion}, .NET {Environment.Version}, {Environment.ProcessorCount} cores\n\n{e}\n");
        return path;
    }

    private static string DefaultLogDirectory()
    {
        string? state = Environment.GetEnvironmentVariable("XDG_STATE_HOME");
        if (string.IsNullOrEmpty(state))
        {
            string home = Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
            state = string.IsNullOrEmpty(home) ? Path.GetTempPath() : Path.Combine(home, ".local", "state");
        }
        return Path.Combine(state, "robotbridge");
    }

    /// <summary>A message on one line: line breaks become "; " (the console shows exactly one line per failure).</summary>
    public static string OneLine(string message) =>
        string.Join("; ", message.Split(['\r', '\n'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
}
