namespace RobotBridge.Cli.Tests.Serve;

/// <summary>Issue 15 §1: `serve` never exposes the robot beyond loopback silently.</summary>
public sealed class ServeExposureTests
{
    [Fact]
    public void Serving_beyond_loopback_without_authentication_is_refused()
    {
        var (code, _, error) = CliInvocation.Run("serve", "--address", "0.0.0.0", "--port", "0", "--no-camera", "--seconds", "1");
        Assert.Equal(Program.UsageError, code);
        Assert.Contains("refusing to serve on 0.0.0.0 without authentication", error);
        Assert.DoesNotContain("Unhandled", error);
    }

    [Fact]
    public void Insecure_serving_warns_loudly_and_the_banner_names_the_real_address()
    {
        var (code, output, error) = CliInvocation.Run("serve", "--address", "0.0.0.0", "--insecure", "--port", "0", "--no-camera",
            "--object", "none", "--seconds", "1");
        Assert.Equal(0, code);
        Assert.Contains("WARNING: serving on 0.0.0.0 WITHOUT AUTHENTICATION", error);
        Assert.Contains("on ws://0.0.0.0:", output);
        Assert.Contains("(every interface)", output);
    }

    [Fact]
    public void A_bad_auth_file_is_one_line_naming_the_file_and_line()
    {
        string file = Path.Combine(Path.GetTempPath(), $"robotbridge-auth-{Guid.NewGuid():N}");
        File.WriteAllText(file, "# roles\noperator short\n");
        try
        {
            var (code, _, error) = CliInvocation.Run("serve", "--auth", file, "--port", "0", "--no-camera", "--seconds", "1");
            Assert.Equal(Program.UsageError, code);
            Assert.Contains($"{file}:2: the operator secret has 5 characters", error);
            Assert.Single(error.Trim().Split('\n'));
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public void With_an_auth_file_the_banner_says_authentication_is_required()
    {
        string file = Path.Combine(Path.GetTempPath(), $"robotbridge-auth-{Guid.NewGuid():N}");
        File.WriteAllText(file, "operator 0123456789abcdef0123\nviewer fedcba98765432100123\n");
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(file, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }
        try
        {
            var (code, output, error) = CliInvocation.Run("serve", "--auth", file, "--address", "0.0.0.0", "--port", "0", "--no-camera",
                "--object", "none", "--seconds", "1");
            Assert.Equal(0, code);
            Assert.Contains("authentication: rosauth required (roles viewer, operator)", output);
            Assert.DoesNotContain("WARNING", error);
        }
        finally
        {
            File.Delete(file);
        }
    }
}
