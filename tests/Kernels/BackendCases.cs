using System.Reflection;
using GpuSiamese.Model.Backends;

namespace GpuSiamese.Tests.Kernels;

/// <summary>A backend the parity tests can run on, or the reason it cannot run here.</summary>
public sealed record BackendCase(string Name, Func<IBackend>? Create, string? SkipReason)
{
    public override string ToString() => Name;
}

/// <summary>Marks a static method returning IEnumerable&lt;BackendCase&gt; (one file per backend family).</summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class BackendSourceAttribute : Attribute;

/// <summary>
/// Every backend family contributes its cases through a [BackendSource] method in its own file, so
/// each parity fixture runs on all of them; absent devices become skipped cases with the reason.
/// </summary>
public static class BackendCases
{
    public static IEnumerable<BackendCase> All() =>
        typeof(BackendCases).Assembly.GetTypes()
            .SelectMany(t => t.GetMethods(BindingFlags.Static | BindingFlags.Public | BindingFlags.NonPublic))
            .Where(m => m.GetCustomAttribute<BackendSourceAttribute>() != null)
            .OrderBy(m => m.DeclaringType!.Name)
            .SelectMany(m => (IEnumerable<BackendCase>)m.Invoke(null, null)!);

    /// <summary>Creates the backend, or marks the test ignored with the printed reason.</summary>
    public static IBackend Open(BackendCase c)
    {
        if (c.Create == null)
        {
            TestContext.Out.WriteLine($"{c.Name}: skipped: {c.SkipReason}");
            Assert.Ignore($"{c.Name}: {c.SkipReason}");
        }
        return c.Create!();
    }
}
