namespace RobotBridge.Gym.Checking;

public enum CheckSeverity
{
    /// <summary>The env breaks the contract; learning code or the robot bridge will misbehave.</summary>
    Error,
    /// <summary>Allowed but likely a mistake (e.g. an action Box not in [-1, 1]).</summary>
    Warning,
}

/// <summary>One broken or doubtful clause: <see cref="Contract"/> is one of <see cref="EnvContracts"/>.</summary>
public sealed record EnvCheckFinding(string Contract, CheckSeverity Severity, string Message)
{
    public override string ToString() => $"{(Severity == CheckSeverity.Error ? "FAIL" : "WARN")} [{Contract}] {Message}";
}

/// <summary>What <see cref="EnvChecker"/> found: every clause it checked and every finding.</summary>
public sealed class EnvCheckReport
{
    private readonly List<EnvCheckFinding> _findings = [];
    private readonly List<string> _checked = [];
    private readonly List<(string Contract, string Reason)> _skipped = [];

    internal EnvCheckReport(string envName) => EnvName = envName;

    public string EnvName { get; }
    public IReadOnlyList<EnvCheckFinding> Findings => _findings;

    /// <summary>Clauses that were checked, in order.</summary>
    public IReadOnlyList<string> Checked => _checked;

    public IEnumerable<EnvCheckFinding> Errors => _findings.Where(f => f.Severity == CheckSeverity.Error);
    public IEnumerable<EnvCheckFinding> Warnings => _findings.Where(f => f.Severity == CheckSeverity.Warning);

    /// <summary>True when no clause failed (warnings allowed).</summary>
    public bool Passed => !Errors.Any();

    /// <summary>True if <paramref name="contract"/> has an error finding.</summary>
    public bool Failed(string contract) => Errors.Any(f => f.Contract == contract);

    /// <summary>Clauses that were not checked, with the reason.</summary>
    public IReadOnlyList<(string Contract, string Reason)> Skipped => _skipped;

    internal void MarkSkipped(string contract, string reason) => _skipped.Add((contract, reason));

    internal void MarkChecked(string contract)
    {
        if (!_checked.Contains(contract))
            _checked.Add(contract);
    }

    internal void Add(string contract, CheckSeverity severity, string message) => _findings.Add(new(contract, severity, message));

    /// <summary>Throws <see cref="EnvContractException"/> for the first error, if any.</summary>
    public void ThrowIfFailed()
    {
        if (Errors.FirstOrDefault() is { } first)
            throw new EnvContractException(first.Contract, $"{EnvName}: {first.Message}");
    }

    public override string ToString()
    {
        var lines = new List<string> { $"{EnvName}: {(Passed ? "passed" : "FAILED")} ({_checked.Count} clauses checked, {Errors.Count()} failed, {Warnings.Count()} warnings)" };
        lines.AddRange(_skipped.Select(s => $"  SKIP [{s.Contract}] {s.Reason}"));
        lines.AddRange(_findings.Select(f => "  " + f));
        return string.Join(Environment.NewLine, lines);
    }
}
