using GpuSiamese.Host;

// Ctrl+C: the first press asks the trainer to stop after its current step (exit 130) and says so at once on stderr,
// so that a person (or a script) knows the press was seen while the step and the checkpoint finish; a second press
// ends the process.
using var interrupt = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    if (interrupt.IsCancellationRequested) return;
    e.Cancel = true;
    interrupt.Cancel();
    Console.Error.WriteLine(Cli.InterruptSeen);
};
return Cli.Run(args, HostConsole.System(), new GpuSiamese.Host.Jobs.ModelJobs(), interrupt.Token);
