using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text;
using Acs.Benchmarks.Responses;

namespace Acs.Benchmarks.Load;

/// <summary>One measured load step.</summary>
public sealed record LoadStep(string Label, string Mode, int Concurrency, double OfferedRate, int Requests, int Ok, int Errors,
    double Seconds, double Throughput, double P50Ms, double P95Ms, double P99Ms, double PeakRssMb, double ServerCpuMs, double DbCpuMs)
{
    public const string TsvHeader =
        "label\tmode\tconcurrency\toffered_rps\trequests\tok\terrors\tseconds\tthroughput\tp50_ms\tp95_ms\tp99_ms\tpeak_rss_mb\tserver_cpu_ms_per_req\tdb_cpu_ms_per_req";

    public string ToTsv() => string.Create(CultureInfo.InvariantCulture,
        $"{Label}\t{Mode}\t{Concurrency}\t{OfferedRate:0}\t{Requests}\t{Ok}\t{Errors}\t{Seconds:0.00}\t{Throughput:0.0}\t{P50Ms:0.00}\t{P95Ms:0.00}\t{P99Ms:0.00}\t{PeakRssMb:0}\t{ServerCpuMs:0.000}\t{DbCpuMs:0.000}");

    public string ToMarkdown() => string.Create(CultureInfo.InvariantCulture,
        $"| {Label} | {Mode} | {Concurrency} | {Requests} | {Errors} | {Throughput:0} | {P50Ms:0.0} | {P95Ms:0.0} | {P99Ms:0.0} | {PeakRssMb:0} | {ServerCpuMs:0.00} | {DbCpuMs:0.00} |");
}

/// <summary>
/// Posts distinct, freshly signed Entra-shaped responses to an ACS (or to the baseline server) on loopback, first
/// closed-loop at increasing concurrency, then optionally open-loop at half the best throughput. Every step is
/// bounded by a request count and a time limit. Latency of open-loop requests counts from their scheduled start,
/// so a stalled server cannot hide its queueing (coordinated omission).
/// </summary>
public sealed class LoadGenerator : IDisposable
{
    private readonly Uri _target;
    private readonly int _port;
    private readonly int _tenants;
    private readonly EntraIdp _idp;
    private readonly string _label;
    private readonly int? _pid;
    private readonly HttpClient _client;
    private int _userSequence;

    /// <summary>For the baseline only, which does not read the response: cycle through this many distinct bodies
    /// instead of signing one per request, so its steps can run long enough to measure.</summary>
    public int? Reuse { get; init; }

    private readonly int? _dbPid;

    public LoadGenerator(Uri target, int port, int tenants, EntraIdp idp, string label, int? pid, int? dbPid, int userOffset)
    {
        _dbPid = dbPid;
        _target = new Uri(target, "/sso/saml/consume");
        _port = port;
        _tenants = tenants;
        _idp = idp;
        _label = label;
        _pid = pid;
        _userSequence = userOffset;
        _client = new HttpClient(new SocketsHttpHandler
        {
            AllowAutoRedirect = false,
            UseCookies = false,
            MaxConnectionsPerServer = 1024,
            PooledConnectionLifetime = Timeout.InfiniteTimeSpan,
        })
        { Timeout = TimeSpan.FromSeconds(30) };
    }

    public void Dispose() => _client.Dispose();

    private sealed record Post(string Host, byte[] Body);

    /// <summary>Distinct people across distinct bench tenants: each post is a first sign-in (JIT create).</summary>
    private List<Post> Prepare(int count)
    {
        if (Reuse is { } distinct && distinct < count)
        {
            var pool = Sign(distinct);
            return [.. Enumerable.Range(0, count).Select(i => pool[i % distinct])];
        }

        return [.. Sign(count)];
    }

    private Post[] Sign(int count)
    {
        var now = DateTimeOffset.UtcNow;
        var posts = new Post[count];
        var first = Interlocked.Add(ref _userSequence, count) - count;
        Parallel.For(0, count, i =>
        {
            var user = first + i;
            var tenant = $"{BenchDatabase.TenantPrefix}{user % _tenants}";
            var site = $"http://{tenant}.acs.localhost:{_port}";
            var target = new ResponseTarget(site + "/", site + "/sso/saml/consume", $"user{user}@contoso.test",
                new Guid(user, 0x4d2c, 0x4a1b, [9, 8, 7, 6, 5, 4, 3, 2]).ToString("D"), "User", "N" + user.ToString(CultureInfo.InvariantCulture));
            var xml = _idp.Issue(target, SignMode.Assertion, now);
            var body = Encoding.ASCII.GetBytes("SAMLResponse=" + Uri.EscapeDataString(Convert.ToBase64String(xml)));
            posts[i] = new Post($"{tenant}.acs.localhost:{_port}", body);
        });
        return posts;
    }

    public async Task WarmUpAsync(int count)
    {
        foreach (var post in Prepare(count))
        {
            await SendAsync(post);
        }
    }

    public async Task<LoadStep> ClosedLoopAsync(int concurrency, int requests, TimeSpan limit)
    {
        var posts = Prepare(requests);
        var latencies = new ConcurrentBag<double>();
        var errors = 0;
        var next = -1;
        var cpu = CpuNow();
        var clock = Stopwatch.StartNew();
        var workers = Enumerable.Range(0, concurrency).Select(async _ =>
        {
            int i;
            while ((i = Interlocked.Increment(ref next)) < posts.Count && clock.Elapsed < limit)
            {
                var started = Stopwatch.GetTimestamp();
                var ok = await SendAsync(posts[i]);
                latencies.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
                if (!ok)
                {
                    Interlocked.Increment(ref errors);
                }
            }
        }).ToList();
        await Task.WhenAll(workers);
        var seconds = clock.Elapsed.TotalSeconds;
        return Step("closed", concurrency, 0, latencies, errors, seconds, PeakRssMb(), cpu);
    }

    public async Task<LoadStep> OpenLoopAsync(double rate, int requests, TimeSpan limit)
    {
        var posts = Prepare(requests);
        var latencies = new ConcurrentBag<double>();
        var errors = 0;
        var inFlight = new List<Task>(posts.Count);
        var cpu = CpuNow();
        var clock = Stopwatch.StartNew();
        for (var i = 0; i < posts.Count && clock.Elapsed < limit; i++)
        {
            var due = TimeSpan.FromSeconds(i / rate);
            var wait = due - clock.Elapsed;
            if (wait > TimeSpan.FromMilliseconds(1))
            {
                await Task.Delay(wait);
            }

            var post = posts[i];
            inFlight.Add(Task.Run(async () =>
            {
                var ok = await SendAsync(post);
                latencies.Add((clock.Elapsed - due).TotalMilliseconds);
                if (!ok)
                {
                    Interlocked.Increment(ref errors);
                }
            }));
        }

        await Task.WhenAll(inFlight);
        return Step("open", 0, rate, latencies, errors, clock.Elapsed.TotalSeconds, PeakRssMb(), cpu);
    }

    private LoadStep Step(string mode, int concurrency, double rate, ConcurrentBag<double> latencies, int errors, double seconds, double peakRss,
        (double Server, double Db) cpuBefore)
    {
        var cpuAfter = CpuNow();
        var sorted = latencies.Order().ToArray();
        var perRequest = Math.Max(1, sorted.Length);
        double P(double q) => sorted.Length == 0 ? double.NaN : sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(q * sorted.Length) - 1)];
        return new LoadStep(_label, mode, concurrency, rate, sorted.Length, sorted.Length - errors, errors, seconds,
            (sorted.Length - errors) / seconds, P(0.50), P(0.95), P(0.99), peakRss,
            (cpuAfter.Server - cpuBefore.Server) / perRequest, (cpuAfter.Db - cpuBefore.Db) / perRequest);
    }

    private async Task<bool> SendAsync(Post post)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, _target) { Content = new ByteArrayContent(post.Body) };
        request.Headers.Host = post.Host;
        request.Content.Headers.ContentType = new("application/x-www-form-urlencoded");
        try
        {
            using var response = await _client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
            await response.Content.LoadIntoBufferAsync();
            return response.StatusCode == HttpStatusCode.SeeOther;
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
        {
            return false;
        }
    }

    /// <summary>CPU milliseconds used so far by the server and by the database (the postmaster, its live backends
    /// and, through cutime/cstime, the ones that ended): on a shared machine this moves far less than latency.</summary>
    private (double Server, double Db) CpuNow()
    {
        var server = _pid is { } pid ? ProcessCpuMs(pid, children: false) : double.NaN;
        if (_dbPid is not { } db)
        {
            return (server, double.NaN);
        }

        var total = ProcessCpuMs(db, children: true);
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (int.TryParse(Path.GetFileName(dir), out var child) && child != db && ParentOf(child) == db)
            {
                total += ProcessCpuMs(child, children: false);
            }
        }

        return (server, total);
    }

    private static string[]? Stat(int pid)
    {
        try
        {
            var text = File.ReadAllText($"/proc/{pid}/stat");
            // Fields after the command name, which is in parentheses and may contain spaces.
            return text[(text.LastIndexOf(')') + 2)..].Split(' ');
        }
        catch (IOException)
        {
            return null;
        }
    }

    private static int ParentOf(int pid) => Stat(pid) is { } f ? int.Parse(f[1], CultureInfo.InvariantCulture) : -1;

    // Fields 14-17 of /proc/PID/stat (utime, stime, cutime, cstime) in clock ticks of 10 ms.
    private static double ProcessCpuMs(int pid, bool children)
    {
        if (Stat(pid) is not { } f)
        {
            return 0;
        }

        double Ticks(int field) => double.Parse(f[field - 3], CultureInfo.InvariantCulture);
        return 10 * (Ticks(14) + Ticks(15) + (children ? Ticks(16) + Ticks(17) : 0));
    }

    /// <summary>The server's peak resident set: VmHWM, the kernel's high-water mark since the process started.</summary>
    private double PeakRssMb()
    {
        if (_pid is null)
        {
            return double.NaN;
        }

        foreach (var line in File.ReadLines($"/proc/{_pid}/status"))
        {
            if (line.StartsWith("VmHWM:", StringComparison.Ordinal))
            {
                return double.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) / 1024;
            }
        }

        return double.NaN;
    }
}
