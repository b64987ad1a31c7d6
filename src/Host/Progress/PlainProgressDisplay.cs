using System.Globalization;

namespace GpuSiamese.Host.Progress;

/// <summary>
/// Progress as plain lines for logs: at each quarter of an epoch one line with step, loss, speed and ETA, and one
/// line when the epoch ends.
/// </summary>
public sealed class PlainProgressDisplay(TextWriter output) : IProgressDisplay
{
    public T Run<T>(Func<IProgress<EpochProgress>, Action<string>, T> work) =>
        work(new Sink(output), message => { output.WriteLine(message); output.Flush(); });

    sealed class Sink(TextWriter output) : IProgress<EpochProgress>
    {
        int _epoch;
        int _quartersShown;

        public void Report(EpochProgress p)
        {
            if (p.Epoch != _epoch) { _epoch = p.Epoch; _quartersShown = 0; }
            if (p.EpochDone)
            {
                output.WriteLine($"{ProgressText.EpochLabel(p)}  {ProgressText.Finished(p)}");
                output.Flush();
                return;
            }
            // Quarter q is reached when step/steps ≥ q/4; only the quarters 1..3 get a line, the end has its own.
            int quarter = p.Steps > 0 ? (int)(4L * p.Step / p.Steps) : 0;
            if (quarter <= _quartersShown || quarter >= 4) return;
            _quartersShown = quarter;
            string eta = p.EpochRemaining is { } r ? $"  eta {ProgressText.Duration(r)}" : "";
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{ProgressText.EpochLabel(p)}  {quarter * 25}%  step {p.Step}/{p.Steps}  {ProgressText.Running(p)}{eta}"));
            output.Flush();
        }
    }
}
