using GpuSiamese.Host.Options;

namespace GpuSiamese.Tests.Host.Options;

public class RecognitionOptionsTests
{
    static (HostRun Run, FakeModelJobs Jobs) Eval(params string[] args)
    {
        using var dir = new TempFolder();
        string model = dir.File("model.ckpt");
        File.WriteAllBytes(model, [0]);
        var jobs = new FakeModelJobs();
        return (HostRun.Of(jobs, ["eval", "--model", model, .. args]), jobs);
    }

    [Test]
    public void Eval_defaults_are_ten_ways_2000_trials_five_per_digit_and_the_model_threshold()
    {
        var (run, jobs) = Eval();
        Assert.That(run.ExitCode, Is.EqualTo(0), run.Error);
        var o = jobs.EvaluatedWith!;
        Assert.That((o.OneShotWays, o.OneShotTrials, o.GalleryPerDigit, o.UnknownThreshold), Is.EqualTo((10, 2000, 5, (double?)null)));
    }

    [Test]
    public void Eval_reads_every_recognition_option()
    {
        var (run, jobs) = Eval("--oneshot-ways", "5", "--oneshot-trials", "300", "--gallery-per-digit", "2", "--unknown-threshold", "1.5");
        Assert.That(run.ExitCode, Is.EqualTo(0), run.Error);
        var o = jobs.EvaluatedWith!;
        Assert.That((o.OneShotWays, o.OneShotTrials, o.GalleryPerDigit, o.UnknownThreshold), Is.EqualTo((5, 300, 2, (double?)1.5)));
    }

    [Test]
    public void Train_reads_the_recognition_options_too()
    {
        var jobs = new FakeModelJobs { Throw = new ArgumentException("stop after parsing") };
        using var runs = new TempFolder();
        HostRun.Of(jobs, "--oneshot-ways", "4", "--oneshot-trials", "0", "--gallery-per-digit", "9", "--runs", runs.Path);
        var o = jobs.TrainedWith!;
        Assert.That((o.OneShotWays, o.OneShotTrials, o.GalleryPerDigit), Is.EqualTo((4, 0, 9)));
        Assert.That((new TrainOptions().OneShotWays, new TrainOptions().OneShotTrials, new TrainOptions().GalleryPerDigit), Is.EqualTo((10, 2000, 5)));
    }

    [TestCase("--oneshot-ways", "11", "error: --oneshot-ways expects a whole number from 2 to 10, got '11'")]
    [TestCase("--oneshot-ways", "1", "error: --oneshot-ways expects a whole number ≥ 2, got '1'")]
    [TestCase("--oneshot-trials", "-1", "error: --oneshot-trials expects a whole number ≥ 0, got '-1'")]
    [TestCase("--gallery-per-digit", "x", "error: --gallery-per-digit expects a whole number ≥ 0, got 'x'")]
    [TestCase("--unknown-threshold", "0", "error: --unknown-threshold expects a number > 0, got '0'")]
    public void A_bad_value_is_one_line_naming_the_option(string option, string value, string message)
    {
        var (run, jobs) = Eval(option, value);
        Assert.That(run.ExitCode, Is.EqualTo(2));
        Assert.That(run.ErrorLines, Has.Length.EqualTo(1), "one error line, the usage hint at its end");
        Assert.That(run.ErrorLines[0], Does.StartWith(message + " (usage: gpusiamese"));
        Assert.That(jobs.EvaluatedWith, Is.Null);
    }
}
