using System.Collections.Concurrent;
using System.Diagnostics;
using Acs.Testing.Reliability;

namespace Acs.Reliability;

/// <summary>The hostile-input mix of HttpFuzzTests at volume, against the real service over loopback sockets.</summary>
internal static class FuzzMode
{
    public static async Task<int> RunAsync(Options options)
    {
        var count = options.Int("count", 20_000);
        var big = options.Int("big", 10);
        var concurrency = options.Int("concurrency", 8);
        var seed = options.Int("seed", 20260308);
        var budget = TimeSpan.FromSeconds(options.Seconds("max-seconds", 300));
        var target = await Target.CreateAsync(options, "fuzz");
        using var client = target.Client(concurrency, TimeSpan.FromSeconds(30));

        using var inputs = new HostileInputs(seed, target.Site, target.TenantHost).Generate(count, big).GetEnumerator();
        var byStatus = new ConcurrentDictionary<string, int>();
        var fiveHundreds = new ConcurrentQueue<string>();
        var transport = new ConcurrentQueue<string>();
        var sent = 0;
        var slowest = TimeSpan.Zero;
        using var deadline = new CancellationTokenSource(budget);
        var stopwatch = Stopwatch.StartNew();

        async Task Worker()
        {
            while (!deadline.IsCancellationRequested)
            {
                HostileRequest request;
                lock (inputs)
                {
                    if (!inputs.MoveNext())
                    {
                        return;
                    }

                    request = inputs.Current;
                }

                Interlocked.Increment(ref sent);
                var started = Stopwatch.GetTimestamp();
                string key;
                try
                {
                    using var message = request.ToMessage(target.Url);
                    using var response = await client.SendAsync(message, deadline.Token);
                    var status = (int)response.StatusCode;
                    key = status.ToString(System.Globalization.CultureInfo.InvariantCulture);
                    if (status >= 500)
                    {
                        fiveHundreds.Enqueue($"{request} -> {status}");
                    }
                }
                catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException or InvalidOperationException or IOException)
                {
                    // The client could not complete the exchange: e.g. the server answered 413 and closed while a 10 MB body
                    // was still being sent, or the client refused to send a malformed header.
                    key = "no-response(" + request.Kind + ")";
                    if (transport.Count < 20)
                    {
                        transport.Enqueue($"{request} -> {ex.GetType().Name}: {ex.Message}");
                    }
                }

                var took = Stopwatch.GetElapsedTime(started);
                lock (byStatus)
                {
                    if (took > slowest)
                    {
                        slowest = took;
                    }
                }

                byStatus.AddOrUpdate(key, 1, (_, n) => n + 1);
            }
        }

        await Task.WhenAll(Enumerable.Range(0, concurrency).Select(_ => Task.Run(Worker)));
        stopwatch.Stop();

        var total5xx = fiveHundreds.Count;
        Console.WriteLine($"fuzz: {sent} requests ({big} with 10 MB bodies) in {stopwatch.Elapsed.TotalSeconds:F1}s, " +
                          $"{concurrency} concurrent, seed {seed}, tenant host {target.TenantHost}");
        Console.WriteLine("fuzz: status distribution: " + string.Join(", ", byStatus.OrderBy(s => s.Key, StringComparer.Ordinal)
            .Select(s => $"{s.Key}={s.Value}")));
        Console.WriteLine($"fuzz: 5xx count: {total5xx}");
        Console.WriteLine($"fuzz: slowest exchange: {slowest.TotalMilliseconds:F0} ms");
        foreach (var line in fiveHundreds.Take(10).Concat(transport.Take(10)))
        {
            Console.WriteLine("fuzz:   " + line);
        }

        return total5xx == 0 && sent == count ? 0 : 1;
    }
}
