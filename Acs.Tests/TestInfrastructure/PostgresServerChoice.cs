namespace Acs.Tests.TestInfrastructure;

public enum PostgresServerSource
{
    /// <summary>ACS_TEST_DATABASE names a server the tests may create databases on.</summary>
    ConfiguredServer,
    /// <summary>A throwaway container started with Testcontainers.</summary>
    Testcontainers,
    /// <summary>A throwaway cluster started from this machine's PostgreSQL binaries.</summary>
    LocalCluster,
    None,
}

public sealed record PostgresServerChoice(PostgresServerSource Source, string Explanation)
{
    public const string ConnectionVariable = "ACS_TEST_DATABASE";

    /// <summary>The fallback order of the test database: configured server, then Docker, then local binaries.</summary>
    public static PostgresServerChoice Choose(string? configuredConnectionString, bool dockerAnswers, string? localBinDirectory)
    {
        if (!string.IsNullOrWhiteSpace(configuredConnectionString))
        {
            return new(PostgresServerSource.ConfiguredServer, $"{ConnectionVariable} is set");
        }

        if (dockerAnswers)
        {
            return new(PostgresServerSource.Testcontainers, "a Docker engine answers");
        }

        if (localBinDirectory is not null)
        {
            return new(PostgresServerSource.LocalCluster, $"no Docker engine; PostgreSQL binaries found in {localBinDirectory}");
        }

        return new(PostgresServerSource.None,
            "No PostgreSQL for the tests: set " + ConnectionVariable + " to a connection string of a server the tests may create " +
            "databases on, start a Docker engine, or install the PostgreSQL server binaries (Debian/Ubuntu: apt-get install postgresql).");
    }

    /// <summary>
    /// A Docker engine answered, but the container did not start (API too old, image not pullable, a timeout): the
    /// local binaries take over, with the reason, rather than every fixture failing.
    /// </summary>
    public static PostgresServerChoice AfterContainerFailure(string reason, string? localBinDirectory)
    {
        var why = $"a Docker engine answers but the PostgreSQL container did not start: {reason}";
        return localBinDirectory is not null
            ? new(PostgresServerSource.LocalCluster, $"{why}; falling back to the PostgreSQL binaries in {localBinDirectory}")
            : new(PostgresServerSource.None, $"{why}; and no PostgreSQL binaries to fall back to (Debian/Ubuntu: apt-get install postgresql)");
    }

    /// <summary>Where initdb and pg_ctl live: PATH first, then Debian's versioned folders, newest first.</summary>
    public static string? FindLocalBinDirectory(string? path, IEnumerable<string> debianVersionFolders)
    {
        foreach (var folder in (path ?? string.Empty).Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            if (File.Exists(Path.Combine(folder, "initdb")) && File.Exists(Path.Combine(folder, "pg_ctl")))
            {
                return folder;
            }
        }

        return debianVersionFolders
            .Select(v => Path.Combine(v, "bin"))
            .Where(bin => File.Exists(Path.Combine(bin, "initdb")) && File.Exists(Path.Combine(bin, "pg_ctl")))
            .OrderByDescending(bin => int.TryParse(Path.GetFileName(Path.GetDirectoryName(bin)), out var major) ? major : 0)
            .FirstOrDefault();
    }
}
