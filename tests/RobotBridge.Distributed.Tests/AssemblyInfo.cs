// Torch's random generator and thread count are process-wide (TorchRuntime.Configure), and the
// determinism tests compare runs bit for bit: tests in this assembly run one at a time.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
