using RobotBridge.Distributed.Contract;

namespace RobotBridge.Distributed.Learner;

/// <summary>
/// Slots of the run's workers: which process holds each, its generation, and when it was last heard
/// from. A slot whose worker stays silent past the lease is freed (its episodes already stored stay
/// stored) and the next worker to join takes it with the next generation, hence a fresh seed. Work is
/// pulled, not assigned: while a slot is empty the other workers' episodes fill the run, so a lost
/// worker's share is redistributed without a plan being redrawn. Thread-safe.
/// </summary>
public sealed class WorkerRegistry(int runSeed, TimeSpan lease, RunRecords records, TimeProvider? time = null)
{
    private readonly TimeProvider _time = time ?? TimeProvider.System;
    private readonly Lock _gate = new();
    private readonly Dictionary<int, Slot> _slots = new();

    private sealed class Slot
    {
        public int Generation;
        public bool Active;
        /// <summary>A local process is being started for this slot and has not joined yet: a worker
        /// asking for "any slot" must not take it (it would be replaced as soon as the local one joins).</summary>
        public bool Reserved;
        public DateTimeOffset LastSeen;
        public string Name = "";
        public int ProcessId;
        public long Episodes;
    }

    /// <summary>Slots currently held by a live worker.</summary>
    public int ActiveWorkers
    {
        get { lock (_gate) return _slots.Values.Count(s => s.Active); }
    }

    /// <summary>Generations per slot, for checkpoints (a resumed run continues them, so no seed repeats).</summary>
    public Dictionary<int, int> Generations()
    {
        lock (_gate) return _slots.ToDictionary(p => p.Key, p => p.Value.Generation);
    }

    public void RestoreGenerations(IReadOnlyDictionary<int, int> generations)
    {
        lock (_gate)
        {
            foreach (var (slot, generation) in generations) _slots[slot] = new Slot { Generation = generation };
        }
    }

    /// <summary>Gives the worker its slot: the one asked for (a replacement takes over a dead process's
    /// slot at once), or the lowest one without a live worker.</summary>
    public (WorkerTicket Ticket, int Seed) Join(JoinRequest request)
    {
        lock (_gate)
        {
            int slot = request.Slot;
            if (slot < 0)
            {
                slot = 0;
                while (_slots.TryGetValue(slot, out var s) && (s.Active || s.Reserved)) slot++;
            }
            if (!_slots.TryGetValue(slot, out var held)) _slots[slot] = held = new Slot();
            held.Reserved = false;
            if (held.Active) records.Worker("replaced", slot, held.Generation, held.ProcessId, held.Name, 0, held.Episodes);
            held.Generation++;
            held.Active = true;
            held.LastSeen = _time.GetUtcNow();
            held.Name = request.Name;
            held.ProcessId = request.ProcessId;
            held.Episodes = 0;
            int seed = WorkerSeeds.Derive(runSeed, slot, held.Generation);
            records.Worker("joined", slot, held.Generation, request.ProcessId, request.Name, seed, 0);
            return (new WorkerTicket(slot, held.Generation), seed);
        }
    }

    /// <summary>Keeps <paramref name="slot"/> for the local process about to start for it: until it joins
    /// (or its process exits first), workers that ask for any slot are given another one.</summary>
    public void Reserve(int slot)
    {
        lock (_gate)
        {
            if (!_slots.TryGetValue(slot, out var s)) _slots[slot] = s = new Slot();
            s.Reserved = true;
        }
    }

    /// <summary>Records contact from a worker; false if its slot now belongs to a newer generation (it should stop).</summary>
    public bool Touch(WorkerTicket ticket, int episodes)
    {
        lock (_gate)
        {
            if (!_slots.TryGetValue(ticket.Slot, out var s) || s.Generation != ticket.Generation) return false;
            if (!s.Active) records.Worker("returned", ticket.Slot, s.Generation, s.ProcessId, s.Name, 0, s.Episodes);
            s.Active = true;
            s.LastSeen = _time.GetUtcNow();
            s.Episodes += episodes;
            return true;
        }
    }

    /// <summary>Frees the slots of workers silent for longer than the lease; returns how many.</summary>
    public int ExpireSilent()
    {
        var now = _time.GetUtcNow();
        int lost = 0;
        lock (_gate)
        {
            foreach (var (slot, s) in _slots)
            {
                if (!s.Active || now - s.LastSeen <= lease) continue;
                s.Active = false;
                lost++;
                records.Worker("lost", slot, s.Generation, s.ProcessId, s.Name, 0, s.Episodes);
            }
        }
        return lost;
    }

    /// <summary>A local supervisor saw the process of a slot exit (faster than waiting for the lease).</summary>
    public void ProcessExited(int slot, int processId, int exitCode)
    {
        lock (_gate)
        {
            if (!_slots.TryGetValue(slot, out var s)) return;
            // A local process that exits before joining gives up its reservation (a replacement reserves again).
            s.Reserved = false;
            if (s.ProcessId != processId) return;
            if (s.Active) records.Worker($"exited({exitCode})", slot, s.Generation, s.ProcessId, s.Name, 0, s.Episodes);
            s.Active = false;
        }
    }
}
