using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net.Sockets;

namespace Acs.Reliability;

/// <summary>One login of a flow: when it started and ended (seconds since the flow's start), and how it ended.</summary>
internal sealed record LoginRecord(double Started, double Ended, int Status, TimeSpan? RetryAfter, string? Error)
{
    public double Took => Ended - Started;
}

/// <summary>Workers posting distinct, pre-signed logins until stopped, each login recorded.</summary>
internal sealed class LoginFlow(Target target, int workers, double perWorkerPerSecond, bool closeConnections, TimeSpan requestTimeout)
{
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private readonly ConcurrentBag<LoginRecord> _records = [];
    private readonly CancellationTokenSource _stop = new();
    private ConcurrentQueue<string> _logins = new();
    private Task[] _tasks = [];

    public double Now => _clock.Elapsed.TotalSeconds;

    public IReadOnlyCollection<LoginRecord> Records => _records;

    /// <summary>Signs <paramref name="count"/> distinct logins up front (in parallel), so the flow measures only the service.</summary>
    public void Prepare(int count)
    {
        var run = Guid.NewGuid().ToString("N")[..8];
        var signed = new string[count];
        Parallel.For(0, count, i => signed[i] = target.Site.DistinctLoginBase64(i, run));
        _logins = new ConcurrentQueue<string>(signed);
    }

    public void Start()
    {
        _clock.Restart();
        _tasks = Enumerable.Range(0, workers).Select(_ => Task.Run(WorkAsync)).ToArray();
    }

    public async Task StopAsync()
    {
        await _stop.CancelAsync();
        await Task.WhenAll(_tasks);
    }

    private async Task WorkAsync()
    {
        using var client = target.Client(1, requestTimeout);
        var pause = perWorkerPerSecond > 0 ? TimeSpan.FromSeconds(1 / perWorkerPerSecond) : TimeSpan.Zero;
        while (!_stop.IsCancellationRequested && _logins.TryDequeue(out var login))
        {
            var started = Now;
            int status = 0;
            TimeSpan? retryAfter = null;
            string? error = null;
            try
            {
                using var message = target.Login(login, closeConnections);
                using var response = await client.SendAsync(message);
                await response.Content.ReadAsByteArrayAsync(); // a complete response, body and all
                status = (int)response.StatusCode;
                retryAfter = response.Headers.RetryAfter?.Delta;
            }
            catch (HttpRequestException ex) when (ex.InnerException is SocketException { SocketErrorCode: SocketError.ConnectionRefused })
            {
                error = "refused";
            }
            catch (TaskCanceledException)
            {
                error = "timeout";
            }
            catch (Exception ex) when (ex is HttpRequestException or IOException)
            {
                error = "reset: " + (ex.InnerException?.Message ?? ex.Message);
            }

            _records.Add(new LoginRecord(started, Now, status, retryAfter, error));
            var elapsed = TimeSpan.FromSeconds(Now - started);
            if (pause > elapsed)
            {
                try
                {
                    await Task.Delay(pause - elapsed, _stop.Token);
                }
                catch (OperationCanceledException)
                {
                }
            }
        }
    }

    public static string Distribution(IEnumerable<LoginRecord> records) =>
        string.Join(", ", records.GroupBy(r => r.Error is { } e ? (e.StartsWith("reset", StringComparison.Ordinal) ? "reset" : e) : r.Status.ToString(System.Globalization.CultureInfo.InvariantCulture))
            .OrderBy(g => g.Key, StringComparer.Ordinal).Select(g => $"{g.Key}={g.Count()}"));
}
