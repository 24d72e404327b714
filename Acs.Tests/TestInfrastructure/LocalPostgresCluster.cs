using System.Net;
using System.Net.Sockets;

namespace Acs.Tests.TestInfrastructure;

/// <summary>
/// A throwaway PostgreSQL cluster in a temp folder on a free loopback port. PostgreSQL refuses to run as root, so
/// when the tests run as root the cluster belongs to, and runs as, the <c>postgres</c> user. Like every production
/// server it requires a scram-sha-256 password, so code that loses the password on the way cannot pass the tests.
/// </summary>
internal sealed class LocalPostgresCluster : IAsyncDisposable
{
    private static readonly TimeSpan CommandTimeout = TimeSpan.FromSeconds(90);

    private readonly string _binDirectory;
    private readonly string _folder;
    private readonly bool _asPostgresUser;

    private LocalPostgresCluster(string binDirectory, string folder, int port, bool asPostgresUser)
    {
        _binDirectory = binDirectory;
        _folder = folder;
        Port = port;
        _asPostgresUser = asPostgresUser;
        Password = Convert.ToHexString(System.Security.Cryptography.RandomNumberGenerator.GetBytes(16));
    }

    public int Port { get; }

    public string Password { get; }

    public string ConnectionString =>
        $"Host=127.0.0.1;Port={Port};Username=postgres;Password={Password};Database=postgres;Pooling=true;Maximum Pool Size=50;Timeout=15";

    /// <summary>The machine's PostgreSQL binaries: PATH first, then Debian's versioned folders.</summary>
    public static string? FindBinDirectory() => PostgresServerChoice.FindLocalBinDirectory(
        Environment.GetEnvironmentVariable("PATH"),
        Directory.Exists("/usr/lib/postgresql") ? Directory.GetDirectories("/usr/lib/postgresql") : []);

    /// <summary>
    /// A private cluster for a test that stops and starts its database. Without binaries the test fails in CI
    /// (which installs them) and is reported ignored, with the reason, elsewhere.
    /// </summary>
    public static Task<LocalPostgresCluster> StartPrivateAsync()
    {
        if (FindBinDirectory() is { } binDirectory)
        {
            return StartAsync(binDirectory);
        }

        const string reason = "no local PostgreSQL binaries to start and stop a private cluster";
        if (Environment.GetEnvironmentVariable("CI") is not null)
        {
            Assert.Fail($"{reason}; CI must provide them (apt-get install postgresql)");
        }

        Assert.Ignore($"SKIPPED (not in CI): {reason}");
        throw new InvalidOperationException(reason);
    }

    public static async Task<LocalPostgresCluster> StartAsync(string binDirectory)
    {
        var asPostgresUser = Environment.UserName == "root";
        var folder = Path.Combine(Path.GetTempPath(), "acs-test-pg-" + Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(folder);
        var cluster = new LocalPostgresCluster(binDirectory, folder, FreePort(), asPostgresUser);
        try
        {
            if (asPostgresUser)
            {
                await Must("chown", ["-R", "postgres:postgres", folder]);
            }

            var data = Path.Combine(folder, "data");
            var passwordFile = Path.Combine(folder, "password");
            await File.WriteAllTextAsync(passwordFile, cluster.Password);
            if (asPostgresUser)
            {
                await Must("chown", ["postgres:postgres", passwordFile]);
            }

            await cluster.RunAsPostgres("initdb", ["-D", data, "-U", "postgres", "--auth=scram-sha-256", "--pwfile=" + passwordFile,
                "-E", "UTF8", "--locale=C", "--no-sync"]);
            File.Delete(passwordFile);
            await cluster.StartAgainAsync();
            return cluster;
        }
        catch
        {
            await cluster.DisposeAsync();
            throw;
        }
    }

    /// <summary>Stops the server but keeps its data, as an outage would.</summary>
    public Task StopAsync() => RunAsPostgres("pg_ctl", ["-D", Path.Combine(_folder, "data"), "-m", "fast", "-w", "stop"]);

    public Task StartAgainAsync() => RunAsPostgres("pg_ctl", ["-D", Path.Combine(_folder, "data"), "-l", Path.Combine(_folder, "postgres.log"),
        "-o", StartOptions, "-w", "-t", "60", "start"]);

    private string StartOptions =>
        // Durability settings off: a test cluster trades crash safety for speed. max_connections stays at PostgreSQL's
        // default (100), as on the container path and most servers, so a connection leak shows up here too.
        $"-c listen_addresses=127.0.0.1 -p {Port} -k {_folder} -c fsync=off -c synchronous_commit=off -c full_page_writes=off";

    public async ValueTask DisposeAsync()
    {
        var data = Path.Combine(_folder, "data");
        if (Directory.Exists(data))
        {
            try
            {
                await RunAsPostgres("pg_ctl", ["-D", data, "-m", "immediate", "-w", "stop"]);
            }
            catch (InvalidOperationException)
            {
                // Not running: nothing to stop.
            }
        }

        try
        {
            Directory.Delete(_folder, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    private async Task RunAsPostgres(string tool, string[] arguments)
    {
        var path = Path.Combine(_binDirectory, tool);
        if (_asPostgresUser)
        {
            await Must("runuser", ["-u", "postgres", "--", path, .. arguments]);
        }
        else
        {
            await Must(path, arguments);
        }
    }

    private static async Task Must(string fileName, string[] arguments)
    {
        var (exitCode, output) = await ProcessRunner.RunAsync(fileName, arguments, CommandTimeout, workingDirectory: Path.GetTempPath());
        if (exitCode != 0)
        {
            throw new InvalidOperationException($"{fileName} {string.Join(' ', arguments)} failed ({exitCode}): {output}");
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
