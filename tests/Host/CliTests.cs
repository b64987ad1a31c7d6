using GpuSiamese.Data;

namespace GpuSiamese.Tests.Host;

public class CliTests
{
    [TestCase("--no-such-option")]
    [TestCase("train", "--no-such-option")]
    [TestCase("eval", "--model", "m.ckpt", "--frobnicate")]
    [TestCase("plot-loss", "extra-argument")]
    [TestCase("no-such-command")]
    public void Unknown_input_is_exit_2_with_one_error_line_holding_the_usage(params string[] args)
    {
        var run = HostRun.Of(new FakeModelJobs(), args);
        Assert.That(run.ExitCode, Is.EqualTo(2));
        Assert.That(run.ErrorLines, Has.Length.EqualTo(1));
        Assert.That(run.ErrorLines[0], Does.StartWith("error: ").And.Contains("(usage: gpusiamese").And.Contains("--help')"));
        Assert.That(run.Out, Is.Empty);
    }

    [Test]
    public void The_usage_hint_names_the_subcommand()
    {
        var run = HostRun.Of(new FakeModelJobs(), "eval", "--model", "m.ckpt", "--seed", "x");
        Assert.That(run.ErrorLines[0], Does.EndWith(" (usage: gpusiamese eval [options]; see 'gpusiamese eval --help')"));
    }

    [TestCase(new string[0], "train")]
    [TestCase(new[] { "train" }, "--pairs-per-epoch")]
    [TestCase(new[] { "eval" }, "--distances")]
    [TestCase(new[] { "compare" }, "--save-preprocessed")]
    [TestCase(new[] { "embed" }, "--split")]
    [TestCase(new[] { "plot-loss" }, "--max-distance")]
    [TestCase(new[] { "devices" }, "List the compute devices")]
    public void Help_of_every_command_exits_0_and_lists_its_options(string[] command, string expected)
    {
        var run = HostRun.Of(new FakeModelJobs(), [.. command, "--help"]);
        Assert.That(run.ExitCode, Is.EqualTo(0));
        Assert.That(run.Out, Does.Contain(expected));
        Assert.That(run.Error, Is.Empty);
    }

    [Test]
    public void Help_spells_defaults_as_the_options_accept_them()
    {
        string help = HostRun.Of(null, "train", "--help").Out;
        Assert.That(help, Does.Contain("[default: 196,200,10]").And.Contain("[default: adam]")
            .And.Contain("[default: 1e-7]").And.Contain("[default: auto]").And.Contain("[default: contrastive]"));
        Assert.That(help, Does.Not.Contain("[default: Adam]"));
    }

    static IEnumerable<Exception> UserErrors() =>
    [
        new ArgumentException("--layers: the checkpoint has 196,128,10", "layers"),
        new InvalidDataException("t10k-images-idx3-ubyte: truncated after 12 bytes\nmore detail"),
        new FileNotFoundException("pairs.npy: no such file"),
        new MnistUnavailableException("put the four files in /cache/gpusiamese/mnist"),
    ];

    [TestCaseSource(nameof(UserErrors))]
    public void A_user_error_from_below_is_one_line_and_exit_2(Exception error)
    {
        using var runs = new TempFolder();
        var run = HostRun.Of(new FakeModelJobs { Throw = error }, "--runs", runs.Path);
        Assert.That(run.ExitCode, Is.EqualTo(2));
        Assert.That(run.ErrorLines, Has.Length.EqualTo(1));
        Assert.That(run.ErrorLines[0], Does.StartWith("error: ").And.Not.Contains("   at "));
        Assert.That(run.ErrorLines[0], Does.Not.Contain("(Parameter"));
        Assert.That(Directory.EnumerateFileSystemEntries(runs.Path), Is.Empty, "the empty run folder is removed");
    }

    [Test]
    public void Cancellation_exits_130()
    {
        using var runs = new TempFolder();
        using var cancel = new CancellationTokenSource();
        cancel.Cancel();
        var run = HostRun.Of(new FakeModelJobs(), cancel.Token, "--runs", runs.Path, "--quiet");
        Assert.That(run.ExitCode, Is.EqualTo(130));
        Assert.That(run.Error.Trim(), Is.EqualTo("interrupted"));
    }

    [Test]
    public void Without_an_engine_the_model_commands_say_so_and_exit_1()
    {
        using var runs = new TempFolder();
        var run = HostRun.Of(null, "--runs", runs.Path);
        Assert.That(run.ExitCode, Is.EqualTo(1));
        Assert.That(run.Error.Trim(), Is.EqualTo("error: 'train' needs the training engine, which this build of the host was started without"));
    }

    [Test]
    public void A_program_fault_is_not_disguised_as_a_user_error()
    {
        using var runs = new TempFolder();
        var run = HostRun.Of(new FakeModelJobs { Throw = new NullReferenceException() }, "--runs", runs.Path);
        Assert.That(run.ExitCode, Is.EqualTo(1));
        Assert.That(run.Error, Does.StartWith("internal error: System.NullReferenceException").And.Contains("   at "));
    }
}
