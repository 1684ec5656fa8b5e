using System.Diagnostics;
using RobotBridge.Distributed.Learner;

namespace RobotBridge.Distributed.Hosting;

/// <summary>
/// <c>train --workers N</c> on one machine: starts N worker processes on the learner's loopback gateway
/// and replaces any that dies (same slot, next generation, so a fresh derived seed) while the run goes
/// on. Each process's output goes to <c>workers/slot-S.log</c> in the run directory.
/// </summary>
public sealed class LocalWorkers : IAsyncDisposable
{
    /// <summary>Replacements allowed per slot before the run gives up on that slot (a worker that cannot
    /// start at all would otherwise be restarted forever).</summary>
    public const int MaxRestartsPerSlot = 20;

    private readonly Func<int, ProcessStartInfo> _startInfo;
    private readonly WorkerRegistry _registry;
    private readonly string _logDirectory;
    private readonly Action<string> _log;
    private readonly Process?[] _processes;
    private readonly int[] _restarts;
    private readonly Lock _gate = new();
    private bool _stopping;

    /// <param name="startInfo">The command line of the worker for a slot (the caller's own program with <c>worker --learner … --slot S</c>).</param>
    public LocalWorkers(int count, Func<int, ProcessStartInfo> startInfo, WorkerRegistry registry, string logDirectory, Action<string> log)
    {
        _startInfo = startInfo;
        _registry = registry;
        _logDirectory = logDirectory;
        _log = log;
        _processes = new Process?[count];
        _restarts = new int[count];
        Directory.CreateDirectory(logDirectory);
    }

    /// <summary>Process ids by slot (0 where none runs).</summary>
    public int[] ProcessIds()
    {
        lock (_gate) return _processes.Select(p => p is null ? 0 : SafeId(p)).ToArray();
    }

    private static int SafeId(Process p)
    {
        try { return p.HasExited ? 0 : p.Id; }
        catch (InvalidOperationException) { return 0; }
    }

    public void Start()
    {
        for (int slot = 0; slot < _processes.Length; slot++) Launch(slot);
    }

    private void Launch(int slot)
    {
        lock (_gate)
        {
            if (_stopping) return;
            var info = _startInfo(slot);
            info.UseShellExecute = false;
            info.RedirectStandardOutput = true;
            info.RedirectStandardError = true;
            var process = new Process { StartInfo = info, EnableRaisingEvents = true };
            var logFile = new StreamWriter(Path.Combine(_logDirectory, $"slot-{slot}.log"), append: true) { AutoFlush = true };
            process.OutputDataReceived += (_, e) => Write(logFile, e.Data);
            process.ErrorDataReceived += (_, e) => Write(logFile, e.Data);
            process.Exited += (_, _) => OnExited(slot, process, logFile);
            _registry.Reserve(slot); // before it starts: a hand-started worker must not take the slot meanwhile
            process.Start();
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
            _processes[slot] = process;
            _log($"worker slot {slot}: started pid {process.Id}");
        }
    }

    private static void Write(StreamWriter log, string? line)
    {
        if (line is null) return;
        lock (log)
        {
            try
            {
                log.WriteLine(line);
            }
            catch (ObjectDisposedException)
            {
                // A line after the log was closed is dropped: an exception here would end the learner's process.
            }
        }
    }

    private void OnExited(int slot, Process process, StreamWriter logFile)
    {
        // Exited can come before the output readers have drained; WaitForExit() waits for them.
        process.WaitForExit();
        int code = process.ExitCode;
        _registry.ProcessExited(slot, process.Id, code);
        lock (logFile) logFile.Dispose();
        lock (_gate)
        {
            if (_stopping || !ReferenceEquals(_processes[slot], process)) return;
            _processes[slot] = null;
            if (code == 0) return; // told by the learner to stop: the run is complete
            if (++_restarts[slot] > MaxRestartsPerSlot)
            {
                _log($"worker slot {slot}: pid {process.Id} exited with {code}; {MaxRestartsPerSlot} replacements already, the slot stays empty (see {Path.Combine(_logDirectory, $"slot-{slot}.log")})");
                return;
            }
            _log($"worker slot {slot}: pid {process.Id} exited with {code}; starting a replacement");
        }
        Launch(slot);
    }

    /// <summary>Lets the workers end on the learner's stop (up to 15 s), then kills any still running.</summary>
    public async ValueTask DisposeAsync()
    {
        Process?[] running;
        lock (_gate)
        {
            _stopping = true;
            running = [.. _processes];
        }
        foreach (var p in running)
        {
            if (p is null) continue;
            using var wait = new CancellationTokenSource(TimeSpan.FromSeconds(15));
            try
            {
                await p.WaitForExitAsync(wait.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                p.Kill(entireProcessTree: true);
            }
            p.Dispose();
        }
    }
}
