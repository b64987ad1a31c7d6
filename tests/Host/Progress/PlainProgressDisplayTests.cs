using GpuSiamese.Host;
using GpuSiamese.Host.Progress;

namespace GpuSiamese.Tests.Host.Progress;

public class PlainProgressDisplayTests
{
    static string[] Report(IEnumerable<EpochProgress> reports)
    {
        var output = new StringWriter();
        new PlainProgressDisplay(output).Run<int>((progress, log) =>
        {
            log("loading MNIST");
            foreach (var r in reports) progress.Report(r);
            return 0;
        });
        return output.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
    }

    static IEnumerable<EpochProgress> Epoch(int epoch, int steps)
    {
        for (int s = 1; s <= steps; s++)
            yield return new EpochProgress(epoch, 2, s, steps, 0.5 / epoch, 48_000, TimeSpan.FromSeconds(s));
        yield return new EpochProgress(epoch, 2, steps, steps, 0.5 / epoch, 48_000, TimeSpan.FromSeconds(steps), 0.91, 0.9);
    }

    [Test]
    public void Redirected_output_gets_three_quarter_lines_and_one_line_per_epoch()
    {
        var lines = Report(Epoch(1, 100).Concat(Epoch(2, 100)));
        Assert.That(lines, Is.EqualTo(new[]
        {
            "loading MNIST",
            "epoch 1/2  25%  step 25/100  loss 0.5000  48,000 pairs/s  eta 1:15",
            "epoch 1/2  50%  step 50/100  loss 0.5000  48,000 pairs/s  eta 0:50",
            "epoch 1/2  75%  step 75/100  loss 0.5000  48,000 pairs/s  eta 0:25",
            "epoch 1/2  loss 0.5000  train acc 0.9100  val acc 0.9000  48,000 pairs/s  100.0 s",
            "epoch 2/2  25%  step 25/100  loss 0.2500  48,000 pairs/s  eta 1:15",
            "epoch 2/2  50%  step 50/100  loss 0.2500  48,000 pairs/s  eta 0:50",
            "epoch 2/2  75%  step 75/100  loss 0.2500  48,000 pairs/s  eta 0:25",
            "epoch 2/2  loss 0.2500  train acc 0.9100  val acc 0.9000  48,000 pairs/s  100.0 s",
        }));
    }

    [Test]
    public void A_short_epoch_never_repeats_a_quarter()
    {
        var lines = Report(Epoch(1, 3));
        Assert.That(lines.Count(l => l.Contains("25%")), Is.EqualTo(1));
        Assert.That(lines.Count(l => l.Contains("50%")), Is.EqualTo(1));
        Assert.That(lines.Count(l => l.Contains("75%")), Is.EqualTo(0), "steps 1, 2, 3 of 3 reach quarters 1, 2 and the end");
        Assert.That(lines[^1], Does.StartWith("epoch 1/2  loss"));
    }

    [Test]
    public void A_resumed_epoch_estimates_from_the_steps_it_timed()
    {
        // Resumed at step 50 of 100: 25 steps in 10 s leave 25 steps, 10 s.
        var p = new EpochProgress(1, 1, 75, 100, 0.3, 1000, TimeSpan.FromSeconds(10), StepsTimed: 25);
        Assert.That(p.EpochRemaining, Is.EqualTo(TimeSpan.FromSeconds(10)));
        Assert.That((p with { StepsTimed = null }).EpochRemaining, Is.EqualTo(TimeSpan.FromSeconds(10.0 / 75 * 25)).Within(TimeSpan.FromTicks(100)));
        Assert.That((p with { Step = 100 }).EpochRemaining, Is.Null);
    }

    [Test]
    public void The_display_follows_the_console()
    {
        var w = new StringWriter();
        Assert.That(ProgressDisplay.For(new HostConsole(w, w, IsTerminal: false), quiet: false), Is.TypeOf<PlainProgressDisplay>());
        Assert.That(ProgressDisplay.For(new HostConsole(w, w, IsTerminal: true), quiet: false), Is.TypeOf<LiveProgressDisplay>());
        Assert.That(ProgressDisplay.For(new HostConsole(w, w, IsTerminal: true), quiet: true), Is.TypeOf<SilentProgressDisplay>());
    }

    [Test]
    public void The_live_display_shows_each_epoch_with_its_accuracies()
    {
        var output = new StringWriter();
        int result = new LiveProgressDisplay(output).Run((progress, log) =>
        {
            foreach (var r in Epoch(1, 10).Concat(Epoch(2, 10))) progress.Report(r);
            return 42;
        });
        Assert.That(result, Is.EqualTo(42));
        string text = output.ToString();
        Assert.That(text, Does.Contain("epoch 1/2  loss 0.5000  train acc 0.9100  val acc 0.9000"));
        Assert.That(text, Does.Contain("epoch 2/2  loss 0.2500  train acc 0.9100  val acc 0.9000"));
    }
}
