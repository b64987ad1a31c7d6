namespace GpuSiamese.Tests.Host.Commands;

public class EvalCommandTests
{
    [Test]
    public void Eval_on_a_pair_file_writes_distance_label_rows_and_prints_the_figures()
    {
        using var dir = new TempFolder();
        string model = dir.File("model.ckpt"), pairs = dir.File("p.npy"), labels = dir.File("l.npy"), csv = dir.File("d.csv");
        foreach (var f in new[] { model, pairs, labels }) File.WriteAllBytes(f, [0]);
        var jobs = new FakeModelJobs();
        var run = HostRun.Of(jobs, "eval", "--model", model, "--pairs", pairs, "--labels", labels, "--distances", csv,
            "--plots", dir.File("plots"), "--accelerator", "simd");
        Assert.That(run.ExitCode, Is.EqualTo(0), run.Error);
        Assert.That(jobs.EvaluatedWith!.PairsPath, Is.EqualTo(pairs));
        Assert.That(jobs.EvaluatedWith.Accelerator, Is.EqualTo(GpuSiamese.Host.Options.AcceleratorChoice.Simd));
        Assert.That(File.ReadAllLines(csv), Is.EqualTo(new[]
            { "distance,label", "0.2,0", "0.5,0", "1.6,0", "0.7,1", "2.5,1", "3,1" }));
        Assert.That(run.Out, Does.Contain("EER             0.3333"));
        Assert.That(run.Out, Does.Contain("model threshold 1.0000  accuracy 0.6667"));
        Assert.That(run.Out, Does.Contain("TAR@FAR         0.01 0.7321"));
        Assert.That(Directory.GetFiles(dir.File("plots")).Select(Path.GetFileName),
            Is.EquivalentTo(new[] { "roc.png", "distances.png", "errors.png" }));
        Assert.That(Directory.GetFiles(dir.Path, "*.tmp"), Is.Empty);
    }

    [Test]
    public void Eval_without_pairs_draws_a_balanced_set_with_the_seed_and_counts()
    {
        using var dir = new TempFolder();
        string model = dir.File("model.ckpt");
        File.WriteAllBytes(model, [0]);
        var jobs = new FakeModelJobs();
        var run = HostRun.Of(jobs, "eval", "--model", model, "--seed", "9", "--positives-per-digit", "5", "--negatives-per-pair", "2");
        Assert.That(run.ExitCode, Is.EqualTo(0), run.Error);
        var o = jobs.EvaluatedWith!;
        Assert.That((o.PairsPath, o.LabelsPath, o.Seed, o.PositivesPerDigit, o.NegativesPerPair),
            Is.EqualTo(((string?)null, (string?)null, 9UL, 5, 2)));
    }

    [Test]
    public void Pairs_without_labels_is_refused()
    {
        var run = HostRun.Of(new FakeModelJobs(), "eval", "--model", "m.ckpt", "--pairs", "p.npy");
        Assert.That(run.ExitCode, Is.EqualTo(2));
        Assert.That(run.ErrorLines, Has.Length.EqualTo(1));
        Assert.That(run.ErrorLines[0], Does.StartWith("error: --pairs and --labels go together: give both or neither (usage: gpusiamese eval"));
    }

    [Test]
    public void A_missing_model_is_named()
    {
        var run = HostRun.Of(new FakeModelJobs(), "eval", "--model", "/nonexistent/m.ckpt");
        Assert.That(run.ExitCode, Is.EqualTo(2));
        Assert.That(run.Error.Trim(), Is.EqualTo("error: --model: no such file '/nonexistent/m.ckpt'"));
    }

    [Test]
    public void The_model_option_is_required()
    {
        var run = HostRun.Of(new FakeModelJobs(), "eval");
        Assert.That(run.ExitCode, Is.EqualTo(2));
        Assert.That(run.ErrorLines[0], Does.Contain("--model"));
    }

    [Test]
    public void A_csv_in_a_missing_folder_fails_before_leaving_anything()
    {
        using var dir = new TempFolder();
        string model = dir.File("model.ckpt");
        File.WriteAllBytes(model, [0]);
        var run = HostRun.Of(new FakeModelJobs(), "eval", "--model", model, "--distances", dir.File("no/such/d.csv"));
        Assert.That(run.ExitCode, Is.EqualTo(2));
        Assert.That(run.ErrorLines, Has.Length.EqualTo(1));
        Assert.That(run.ErrorLines[0], Does.StartWith("error: ").And.Contains("d.csv"));
    }

    [Test]
    public void Eval_on_the_test_split_prints_the_one_shot_and_identification_lines()
    {
        using var dir = new TempFolder();
        string model = dir.File("model.ckpt");
        File.WriteAllBytes(model, [0]);
        var run = HostRun.Of(new FakeModelJobs(), "eval", "--model", model);
        Assert.That(run.ExitCode, Is.EqualTo(0), run.Error);
        Assert.That(run.Out, Does.Contain("one-shot        10-way 0.9565 (95% CI 0.9476-0.9654, 2000 trials, chance 0.1000)"));
        Assert.That(run.Out, Does.Contain(
            "identification  accuracy 0.9681  unknown 0.0012  answered accuracy 0.9693 (5 per digit, 10000 probes, unknown above 1.0000)"));
    }

    [Test]
    public void Eval_on_a_pair_file_prints_no_recognition_lines()
    {
        using var dir = new TempFolder();
        string model = dir.File("model.ckpt"), pairs = dir.File("p.npy"), labels = dir.File("l.npy");
        foreach (var f in new[] { model, pairs, labels }) File.WriteAllBytes(f, [0]);
        var run = HostRun.Of(new FakeModelJobs(), "eval", "--model", model, "--pairs", pairs, "--labels", labels);
        Assert.That(run.ExitCode, Is.EqualTo(0), run.Error);
        Assert.That(run.Out, Does.Not.Contain("one-shot").And.Not.Contain("identification"));
    }
}
