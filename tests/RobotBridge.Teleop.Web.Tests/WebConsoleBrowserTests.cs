using System.Diagnostics;
using OpenQA.Selenium;
using OpenQA.Selenium.Interactions;

namespace RobotBridge.Teleop.Web.Tests;

/// <summary>
/// The browser console end to end: Debian's Chromium (headless) on the page that a real
/// <c>robotbridge teleop serve --web-port</c> process serves, the twin behind it; the test watches the
/// robot over MQTT/TCP as any other client would.
/// </summary>
public sealed class WebConsoleBrowserTests(ServedRobot robot) : IClassFixture<ServedRobot>
{
    /// <summary>Arm displacement (rad, joint space) that counts as "the gripper moved".</summary>
    private const double Moved = 0.02;
    /// <summary>Arm joint speed (rad/s) below which the arm counts as stopped.</summary>
    private const double Still = 0.01;
    /// <summary>The bridge's heartbeat watchdog as the e-stop state names it.</summary>
    private static readonly string HeartbeatSource = RobotBridge.Teleop.Robot.TeleopBridge.HeartbeatSource.ToString();

    private ServeProcess Serve => robot.Serve;
    private RobotWatch Watch => robot.Watch;

    [Fact]
    public async Task An_observer_sees_the_state_trips_the_latch_and_its_reset_is_refused_by_the_broker()
    {
        await using var helper = await ScriptedOperator.ConnectAsync(Serve.BrokerPort);
        using var browser = new HeadlessChromium();
        browser.LogIn(Serve.WebAddress, Accounts.Observer, Accounts.ObserverPassword);
        Assert.Equal("observer", browser.Text("role"));
        browser.WaitUntil(() => browser.Text("link") == "bridge online" && browser.Text("robot-link") == "Connected"
            && browser.Text("loop").StartsWith("period", StringComparison.Ordinal) && browser.Text("estop-sources").Length > 1,
            "the page to show the bridge online, the robot link, the loop timing and the e-stop sources");
        for (int attempt = 1; ; attempt++)
        {
            await ResetAsync(() => helper.Client.ResetAsync());
            try
            {
                browser.WaitUntil(() => browser.Text("estop-state") == "RUNNING", "the page to show the latch running", 5);
                break;
            }
            catch (Xunit.Sdk.XunitException) when (attempt < 5 && (Watch.EStop.Cause ?? "").StartsWith("no heartbeat", StringComparison.Ordinal))
            {
                // The scripted operator's heartbeat was late on this loaded machine and the watchdog tripped: reset again.
            }
        }
        Assert.False(browser["deadman"].Enabled, "an observer gets no dead-man");
        Assert.True(browser["stop"].Displayed && browser["stop"].Enabled, "STOP is there for every account");

        browser["stop"].Click();
        await Watch.UntilAsync(() => Watch.EStop.Stopped, "the observer's STOP to trip the latch", 5);
        Assert.Contains(Accounts.Observer, Watch.EStop.Source ?? "");
        Assert.Contains("web console STOP", Watch.EStop.Cause ?? "");
        browser.WaitUntil(() => browser.Text("estop-state").StartsWith("E-STOP", StringComparison.Ordinal), "the page to show the trip");
        Assert.Contains("web console STOP", browser.Text("estop-cause"));

        browser["reset"].Click();
        browser.WaitUntil(() => browser.Text("status").Contains("RESET refused by the broker", StringComparison.Ordinal), "the broker's refusal on the page");
        Assert.Contains("Not authorized", browser.Text("status"));
        await Task.Delay(1000);
        Assert.True(Watch.EStop.Stopped, $"the observer's reset must not release the latch: {Watch.EStop}");
    }

    [Fact]
    public async Task An_operator_resets_and_jogs_the_gripper_under_the_deadman_and_letting_go_stops_it()
    {
        using var browser = new HeadlessChromium();
        await DriveAsync(browser);
        Assert.Equal("operator", browser.Text("role"));
        Screenshot(browser);

        // Let go of the dead-man only; the jog key stays down.
        new Actions(browser.Driver).Release().Perform();
        var released = Stopwatch.StartNew();
        await Watch.UntilAsync(() => Watch.ArmSpeed() < Still, "the arm to stop once the dead-man was released", 3);
        double[] stopped = Watch.Arm();
        await Task.Delay(700);
        Assert.True(RobotWatch.Distance(Watch.Arm(), stopped) < Moved / 4,
            $"the arm kept moving with the dead-man released ({RobotWatch.Distance(Watch.Arm(), stopped):F4} rad in 0.7 s)");
        new Actions(browser.Driver).KeyUp("w").Perform();
        Assert.False(Watch.EStop.Stopped, $"letting go of the dead-man stops motion, it does not trip the latch: {Watch.EStop}");
        Assert.Equal("false", browser["deadman"].GetDomAttribute("data-held"));
        Assert.True(released.Elapsed < TimeSpan.FromSeconds(3));
    }

    [Fact]
    public async Task Closing_the_tab_while_driving_stops_the_robot()
    {
        var browser = new HeadlessChromium();
        try
        {
            await DriveAsync(browser);
            browser.Driver.Close(); // the only tab: the page goes away mid-jog
            // The heartbeat watchdog must hold the latch. Another source may trip it first (on a loaded 2-core
            // machine Chromium's teardown can stall serve's 100 Hz loop for 5 periods, and the supervisor stops
            // the robot for that), so the test asks for the watchdog among the active sources, not the first trip.
            await Watch.UntilAsync(() => Watch.EStop.Stopped && Watch.EStop.ActiveSources.Contains(HeartbeatSource),
                "the heartbeat watchdog to hold the latch once the tab's heartbeats ended", 3,
                DescribeLatch);
            await Watch.UntilAsync(() => Watch.ArmSpeed() < Still, "the arm to stop after the tab closed", 3);
        }
        finally
        {
            browser.Dispose();
        }
    }

    [Fact]
    public async Task A_frozen_tab_stops_the_robot_through_the_heartbeat()
    {
        using var browser = new HeadlessChromium();
        await DriveAsync(browser);
        // Hang the page's main thread mid-jog for 5 s (as a stuck script or a frozen tab would): the socket
        // stays open, nothing is sent. The hang starts after this call returns.
        browser.Driver.ExecuteScript("setTimeout(() => { const end = performance.now() + 5000; while (performance.now() < end) {} }, 0);");
        var frozen = Stopwatch.StartNew();
        await Watch.UntilAsync(() => Watch.EStop.Stopped && Watch.EStop.ActiveSources.Contains(HeartbeatSource),
            "the heartbeat watchdog to hold the latch", 4,
            DescribeLatch);
        await Watch.UntilAsync(() => Watch.ArmSpeed() < Still, "the arm to stop with the tab frozen", 4);
        Assert.True(frozen.Elapsed < TimeSpan.FromSeconds(5), "the robot stopped only after the tab came back");
        // Once the tab thaws (dead-man and jog key still down), nothing queued moves the robot: the latch waits for a reset.
        if (TimeSpan.FromSeconds(6) - frozen.Elapsed is { Ticks: > 0 } rest)
        {
            await Task.Delay(rest);
        }
        double[] thawed = Watch.Arm();
        await Task.Delay(500);
        Assert.True(Watch.EStop.Stopped, $"the latch must wait for a reset after the freeze: {Watch.EStop}");
        Assert.True(RobotWatch.Distance(Watch.Arm(), thawed) < Moved / 4, "the arm moved after the tab thawed");
    }

    [Fact]
    public void A_wrong_password_is_refused_at_login()
    {
        using var browser = new HeadlessChromium();
        browser.Driver.Navigate().GoToUrl(Serve.WebAddress);
        browser.WaitUntil(() => browser["user"].Displayed, "the login form");
        browser["user"].SendKeys(Accounts.Operator);
        browser["password"].SendKeys("not-the-password");
        browser["login-button"].Click();
        browser.WaitUntil(() => browser.Text("login-error").Contains("login refused", StringComparison.Ordinal), "the refusal");
        Assert.Equal("-", browser.Text("role"));
    }

    /// <summary>Logs the operator in, resets the latch from the page, holds the dead-man and the gripper
    /// forward key until the arm moves.</summary>
    /// <remarks>On this shared 2-core machine a browser timer can run later than the 250 ms heartbeat
    /// bound, and the watchdog then trips, which is the page's safety working, not failing. Such a trip
    /// (cause "no heartbeat") gets a fresh reset, at most four times; any other stop fails the test.</remarks>
    private async Task DriveAsync(HeadlessChromium browser)
    {
        browser.LogIn(Serve.WebAddress, Accounts.Operator, Accounts.OperatorPassword);
        for (int attempt = 1; ; attempt++)
        {
            await ResetAsync(() => { browser["reset"].Click(); return Task.CompletedTask; });
            double[] before = Watch.Arm();
            new Actions(browser.Driver).ClickAndHold(browser["deadman"]).KeyDown("w").Perform();
            try
            {
                await Watch.UntilAsync(() => (RobotWatch.Distance(Watch.Arm(), before) > Moved && Watch.ArmSpeed() > Still) || Watch.EStop.Stopped,
                    "the arm to follow the gripper jog", 10, browser.Describe);
            }
            finally
            {
                if (Watch.EStop.Stopped)
                {
                    new Actions(browser.Driver).KeyUp("w").Release().Perform();
                }
            }
            if (!Watch.EStop.Stopped)
            {
                return;
            }
            Assert.True(attempt < 5 && (Watch.EStop.Cause ?? "").StartsWith("no heartbeat", StringComparison.Ordinal),
                $"the robot stopped while driving: {Watch.EStop}; {browser.Describe()}");
        }
    }

    /// <summary>Resets until the latch runs: a reset is refused while the heartbeat source is still active,
    /// which it is until the operator's first heartbeats arrived.</summary>
    private async Task ResetAsync(Func<Task> reset)
    {
        var waited = Stopwatch.StartNew();
        while (Watch.EStop.Stopped)
        {
            Assert.True(waited.Elapsed < TimeSpan.FromSeconds(30), $"the latch did not reset: {Watch.EStop}\n{Serve.Output}");
            if (Watch.EStop.ActiveSources.Length == 0)
            {
                await reset();
            }
            await Task.Delay(300);
        }
    }

    private string DescribeLatch() =>
        $"last trip by {Watch.EStop.Source}: {Watch.EStop.Cause}; active: {string.Join(", ", Watch.EStop.ActiveSources)}";

    /// <summary>The page while driving, for the README (docs/web-console.png when ROBOTBRIDGE_SCREENSHOT is set).</summary>
    private static void Screenshot(HeadlessChromium browser)
    {
        var shot = browser.Driver.GetScreenshot();
        string path = Environment.GetEnvironmentVariable("ROBOTBRIDGE_SCREENSHOT") is { Length: > 0 } target
            ? target
            : Path.Combine(AppContext.BaseDirectory, "web-console.png");
        shot.SaveAsFile(path);
    }
}
