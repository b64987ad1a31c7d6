using GpuSiamese.Host;

// Ctrl+C: the first press asks the trainer to stop after its current step (exit 130); a second press ends the process.
using var interrupt = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    if (interrupt.IsCancellationRequested) return;
    e.Cancel = true;
    interrupt.Cancel();
};
return Cli.Run(args, HostConsole.System(), new GpuSiamese.Host.Jobs.ModelJobs(), interrupt.Token);
