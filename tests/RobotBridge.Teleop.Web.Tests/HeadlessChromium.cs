using OpenQA.Selenium;
using OpenQA.Selenium.Chrome;
using OpenQA.Selenium.Support.UI;

namespace RobotBridge.Teleop.Web.Tests;

/// <summary>
/// Debian's Chromium, headless, driven through Debian's chromedriver (packages <c>chromium</c> and
/// <c>chromium-driver</c>, installed by <c>.ci/setup</c>). Each instance is a fresh browser with a
/// profile of its own, deleted on dispose.
/// </summary>
internal sealed class HeadlessChromium : IDisposable
{
    public const string Binary = "/usr/bin/chromium";
    public const string DriverPath = "/usr/bin/chromedriver";

    private readonly string _profile;

    public HeadlessChromium(int width = 1400, int height = 1250)
    {
        if (!File.Exists(Binary) || !File.Exists(DriverPath))
        {
            throw new InvalidOperationException($"{Binary} and {DriverPath} are needed (apt-get install chromium chromium-driver; .ci/setup does)");
        }
        _profile = Directory.CreateTempSubdirectory("robotbridge-chromium-").FullName;
        var options = new ChromeOptions { BinaryLocation = Binary };
        options.AddArguments("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
            "--disable-background-networking", "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage",
            // The page is visible, but a loaded machine must not make Chromium treat it as a background one.
            "--disable-background-timer-throttling", "--disable-renderer-backgrounding", "--disable-backgrounding-occluded-windows",
            $"--window-size={width},{height}", $"--user-data-dir={_profile}");
        var service = ChromeDriverService.CreateDefaultService(Path.GetDirectoryName(DriverPath)!, Path.GetFileName(DriverPath));
        service.HideCommandPromptWindow = true;
        service.SuppressInitialDiagnosticInformation = true;
        Driver = new ChromeDriver(service, options, TimeSpan.FromSeconds(60));
    }

    public ChromeDriver Driver { get; }

    public IWebElement this[string id] => Driver.FindElement(By.Id(id));

    /// <summary>Waits until <paramref name="condition"/> holds; the message says what was awaited and what the page showed.</summary>
    public void WaitUntil(Func<bool> condition, string what, double seconds = 15)
    {
        var wait = new WebDriverWait(Driver, TimeSpan.FromSeconds(seconds)) { PollingInterval = TimeSpan.FromMilliseconds(100) };
        wait.IgnoreExceptionTypes(typeof(NoSuchElementException), typeof(StaleElementReferenceException));
        try
        {
            wait.Until(_ => condition());
        }
        catch (WebDriverTimeoutException)
        {
            throw new Xunit.Sdk.XunitException($"timed out after {seconds} s waiting for {what}; {Describe()}, login error '{Text("login-error")}'");
        }
    }

    public string Text(string id)
    {
        try
        {
            // textContent, not Text: WebDriver reports hidden elements' text as empty.
            return this[id].GetDomProperty("textContent") ?? "";
        }
        catch (WebDriverException)
        {
            return "?";
        }
    }

    /// <summary>What the page shows about the session, for failure messages.</summary>
    public string Describe() =>
        $"page: status '{Text("status")}', drive '{Text("drive")}', e-stop '{Text("estop-state")}', link '{Text("link")}', robot link '{Text("robot-link")}', loop '{Text("loop")}', role '{Text("role")}', heartbeat '{Text("beat")}'";

    public void LogIn(Uri page, string user, string password)
    {
        Driver.Navigate().GoToUrl(page);
        WaitUntil(() => this["user"].Displayed, "the login form");
        this["user"].SendKeys(user);
        this["password"].SendKeys(password);
        this["login-button"].Click();
        WaitUntil(() => Text("role") is "operator" or "observer", $"'{user}' to be logged in with a role");
    }

    public void Dispose()
    {
        try
        {
            Driver.Quit();
        }
        catch (WebDriverException)
        {
            // Already closed by the test (closing the tab is one of them).
        }
        Driver.Dispose();
        try
        {
            Directory.Delete(_profile, recursive: true);
        }
        catch (IOException)
        {
            // Chromium may still be flushing its profile; a temp folder left behind is harmless.
        }
    }
}
