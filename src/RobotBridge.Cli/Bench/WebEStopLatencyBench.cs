using System.Diagnostics;
using OpenQA.Selenium;
using OpenQA.Selenium.Chrome;
using OpenQA.Selenium.Support.UI;
using RobotBridge.Control;
using RobotBridge.Safety;
using RobotBridge.Sim.Twin;
using RobotBridge.Teleop.Brokers;
using RobotBridge.Teleop.Operator;
using RobotBridge.Teleop.Robot;
using RobotBridge.Teleop.Web;

namespace RobotBridge.Cli.Bench;

/// <summary>
/// E-stop latency from the browser console: from the moment a click on the page's STOP button is
/// issued (WebDriver, Debian's headless Chromium) to the moment <see cref="Robots.IRobot.Stop"/> is called
/// on the twin. The path: Chromium input → the page's pointerdown handler → MQTT over WebSocket →
/// the embedded broker → robot bridge → latch → supervisor → robot interface. The clicking account
/// is an observer; an operator client (MQTT/TCP) heartbeats at 20 Hz and resets between clicks, as
/// <see cref="EStopLatencyBench"/> does for the MQTT path.
/// </summary>
internal static class WebEStopLatencyBench
{
    private static readonly TeleopAccessPolicy Access = new(
    [
        new TeleopUser("robot", "bench-robot", TeleopRole.Robot),
        new TeleopUser("operator", "bench-operator", TeleopRole.Operator),
        new TeleopUser("visitor", "bench-visitor", TeleopRole.Observer),
    ]);

    /// <param name="ClickToStop">WebDriver click issued → IRobot.Stop (includes the driver's input dispatch).</param>
    /// <param name="ClickCall">The WebDriver click call alone (what the driver adds).</param>
    /// <param name="PageRoundTrip">On the page: pointerdown → the robot's stopped state back on the page.</param>
    /// <param name="MqttRoundTrip">An MQTT/TCP client: trip publish → the robot's stopped state back at that client.</param>
    public sealed record Result(TimingSummary ClickToStop, TimingSummary ClickCall, TimingSummary PageRoundTrip, TimingSummary MqttRoundTrip);

    public static async Task<Result> RunAsync(int clicks, string chromium, string chromedriver)
    {
        int port = EStopLatencyBench.FreePort();
        await using var web = new WebConsole(new WebConsoleOptions { Port = 0 });
        await using var broker = await EmbeddedBroker.StartAsync(new EmbeddedBrokerOptions { Access = Access, Port = port, ExtraAdapters = [web.MqttAdapter] });
        await web.StartAsync();
        var endpoint = new BrokerEndpoint { Port = port };
        var latch = new EStopLatch(new EStopLatchOptions { AuthorisedOperators = ["operator"] });
        var probe = new EStopLatencyBench.StopProbe(new FetchTwin(new FetchTwinOptions { ClockMode = TwinClockMode.RealTime }));
        using var supervisor = ModelSafety.SuperviseFetch(probe, latch);
        await using var bridge = new TeleopBridge(supervisor, new TeleopBridgeOptions
        {
            Broker = endpoint with { UserName = "robot", Password = "bench-robot" },
            AuthorisedOperators = ["operator"],
        });
        await using var op = new TeleopOperator(endpoint with { UserName = "operator", Password = "bench-operator" }, "fetch", "operator");
        bridge.Start();
        await bridge.WaitUntilConnectedAsync(TimeSpan.FromSeconds(10));
        await op.ConnectAsync();
        using var heartbeatStop = new CancellationTokenSource();
        var heartbeat = EStopLatencyBench.HeartbeatAsync(op, heartbeatStop.Token);
        string profile = Directory.CreateTempSubdirectory("robotbridge-bench-chromium-").FullName;
        try
        {
            using var driver = Launch(chromium, chromedriver, profile);
            LogIn(driver, web.Address, "visitor", "bench-visitor");
            var stop = driver.FindElement(By.Id("stop"));
            const int warmup = 20;
            var toStop = new double[clicks];
            var call = new double[clicks];
            var page = new double[clicks];
            var pageState = driver.FindElement(By.Id("estop-state"));
            for (int i = -warmup; i < clicks; i++)
            {
                await EStopLatencyBench.ReadyAsync(latch, op);
                // The page must know the robot runs again, or it reports the press as "already stopped".
                for (var seen = Stopwatch.StartNew(); pageState.GetDomAttribute("data-state") != "Running"; await Task.Delay(10))
                {
                    if (seen.Elapsed > TimeSpan.FromSeconds(10))
                    {
                        throw new TimeoutException("the page never showed the reset");
                    }
                }
                var stopped = probe.Arm();
                long start = Stopwatch.GetTimestamp();
                stop.Click();
                long clicked = Stopwatch.GetTimestamp();
                long stopTicks = await stopped.WaitAsync(TimeSpan.FromSeconds(5));
                double pageMs = await PageConfirmationAsync(driver);
                if (i >= 0)
                {
                    toStop[i] = Stopwatch.GetElapsedTime(start, stopTicks).TotalMilliseconds;
                    call[i] = Stopwatch.GetElapsedTime(start, clicked).TotalMilliseconds;
                    page[i] = pageMs;
                }
            }
            var mqtt = await MqttRoundTripsAsync(latch, op, clicks);
            return new Result(TimingSeries.Summarize(toStop, clicks), TimingSeries.Summarize(call, clicks),
                TimingSeries.Summarize(page, clicks), TimingSeries.Summarize(mqtt, clicks));
        }
        finally
        {
            heartbeatStop.Cancel();
            await heartbeat;
            try
            {
                Directory.Delete(profile, recursive: true);
            }
            catch (IOException)
            {
                // Chromium may still hold its profile for a moment; a temp folder is harmless.
            }
        }
    }

    /// <summary>The page's own figure for the last press (#stop-confirm data-ms), then clears it.</summary>
    private static async Task<double> PageConfirmationAsync(ChromeDriver driver)
    {
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            string? ms = driver.FindElement(By.Id("stop-confirm")).GetDomAttribute("data-ms");
            if (!string.IsNullOrEmpty(ms))
            {
                driver.ExecuteScript("document.getElementById('stop-confirm').dataset.ms = '';");
                return double.Parse(ms, System.Globalization.CultureInfo.InvariantCulture);
            }
            if (deadline.Elapsed > TimeSpan.FromSeconds(10))
            {
                throw new TimeoutException("the page never confirmed the stop");
            }
            await Task.Delay(20);
        }
    }

    /// <summary>The same round trip from an MQTT/TCP client: trip publish → stopped state received back.</summary>
    private static async Task<double[]> MqttRoundTripsAsync(EStopLatch latch, TeleopOperator op, int trips)
    {
        const int warmup = 20;
        var result = new double[trips];
        for (int i = -warmup; i < trips; i++)
        {
            await EStopLatencyBench.ReadyAsync(latch, op);
            long seqBefore = op.EStopState?.EventSeq ?? -1;
            var back = new TaskCompletionSource<long>(TaskCreationOptions.RunContinuationsAsynchronously);
            void OnState(Teleop.Protocol.EStopStateMessage state)
            {
                if (state.Stopped && state.EventSeq > seqBefore)
                {
                    back.TrySetResult(Stopwatch.GetTimestamp());
                }
            }
            op.EStopStateReceived += OnState;
            try
            {
                long start = Stopwatch.GetTimestamp();
                await op.TripAsync($"bench round trip {i}");
                long end = await back.Task.WaitAsync(TimeSpan.FromSeconds(5));
                if (i >= 0)
                {
                    result[i] = Stopwatch.GetElapsedTime(start, end).TotalMilliseconds;
                }
            }
            finally
            {
                op.EStopStateReceived -= OnState;
            }
        }
        return result;
    }

    private static ChromeDriver Launch(string chromium, string chromedriver, string profile)
    {
        var options = new ChromeOptions { BinaryLocation = chromium };
        options.AddArguments("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
            "--disable-background-networking", "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage",
            "--window-size=1400,1000", $"--user-data-dir={profile}");
        var service = ChromeDriverService.CreateDefaultService(Path.GetDirectoryName(chromedriver)!, Path.GetFileName(chromedriver));
        service.HideCommandPromptWindow = true;
        service.SuppressInitialDiagnosticInformation = true;
        return new ChromeDriver(service, options, TimeSpan.FromSeconds(60));
    }

    private static void LogIn(ChromeDriver driver, Uri page, string user, string password)
    {
        driver.Navigate().GoToUrl(page);
        var wait = new WebDriverWait(driver, TimeSpan.FromSeconds(30)) { PollingInterval = TimeSpan.FromMilliseconds(100) };
        wait.Until(d => d.FindElement(By.Id("user")).Displayed);
        driver.FindElement(By.Id("user")).SendKeys(user);
        driver.FindElement(By.Id("password")).SendKeys(password);
        driver.FindElement(By.Id("login-button")).Click();
        wait.Until(d => d.FindElement(By.Id("role")).GetDomProperty("textContent") == "observer");
    }
}
