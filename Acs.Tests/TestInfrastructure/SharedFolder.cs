namespace Acs.Tests.TestInfrastructure;

/// <summary>Locates the sibling `shared` folder (corpus, peers) next to the repository root, as CI lays it out.</summary>
internal static class SharedFolder
{
    public static bool IsCi => !string.IsNullOrEmpty(Environment.GetEnvironmentVariable("CI"));

    public static string? RepositoryRoot()
    {
        for (var directory = new DirectoryInfo(TestContext.CurrentContext.TestDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "AcsService.sln")))
            {
                return directory.FullName;
            }
        }

        return null;
    }

    /// <summary>`../shared/&lt;name&gt;` relative to the repository root, or null when absent.</summary>
    public static string? Find(string name)
    {
        var root = RepositoryRoot();
        if (root is null)
        {
            return null;
        }

        var path = Path.GetFullPath(Path.Combine(root, "..", "shared", name));
        return Directory.Exists(path) ? path : null;
    }

    /// <summary>Ignore loudly on a developer machine, fail in CI, where a missing input is a broken build.</summary>
    public static void Missing(string reason)
    {
        if (IsCi)
        {
            Assert.Fail(reason + " (CI is set, so this is a failure.)");
        }

        Assert.Ignore(reason);
    }
}
