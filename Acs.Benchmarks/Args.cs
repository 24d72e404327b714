using System.Globalization;

namespace Acs.Benchmarks;

/// <summary>--name value pairs after the command word.</summary>
public sealed class Args(string[] args)
{
    public string? Get(string name)
    {
        var i = Array.IndexOf(args, "--" + name);
        return i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
    }

    public string Required(string name) => Get(name) ?? throw new ArgumentException($"--{name} is required");

    public int Int(string name, int fallback) => Get(name) is { } v ? int.Parse(v, CultureInfo.InvariantCulture) : fallback;

    public bool Flag(string name) => args.Contains("--" + name, StringComparer.Ordinal);

    public int[] Ints(string name, int[] fallback) =>
        Get(name) is { } v ? v.Split(',').Select(s => int.Parse(s, CultureInfo.InvariantCulture)).ToArray() : fallback;
}
