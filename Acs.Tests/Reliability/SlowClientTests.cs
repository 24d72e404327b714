using System.Diagnostics;
using System.Net.Sockets;
using System.Text;
using Acs.Api.Hosting;
using Acs.Testing.Reliability;
using Acs.Testing.TestIdp;
using Acs.Tests.TestInfrastructure;
using Npgsql;

namespace Acs.Tests.Reliability;

/// <summary>
/// Slow clients against the real Kestrel (the built service in its own process): a body dribbled slower than
/// <see cref="ConnectionLimits.MinRequestBodyBytesPerSecond"/>, or headers that never end, cost the server a bounded
/// time before the connection is cut.
/// </summary>
[TestFixture]
[Category("Slow")]
[NonParallelizable]
public sealed class SlowClientTests
{
    private static readonly TimeSpan Dribble = TimeSpan.FromMilliseconds(500);
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(25);

    private ServiceProcess _service = null!;
    private string _host = null!;

    [OneTimeSetUp]
    public async Task StartAsync()
    {
        var connectionString = await PostgresServer.CreateDatabaseAsync("slowclient");
        await using (var db = NpgsqlDataSource.Create(connectionString))
        {
            await ReliabilitySite.CreateTenantAsync(db, "slow", TestIdpKeys.Default.Trusted);
        }

        _service = await ServiceProcess.StartAsync(connectionString, environmentName: "Production");
        _host = $"slow.acs.localhost:{_service.Port}";
    }

    [OneTimeTearDown]
    public async Task StopAsync() => await _service.DisposeAsync();

    [Test]
    public async Task Consume_WhenTheBodyArrivesSlowerThanTheMinimumRate_IsCutOffWithinTheGracePeriod()
    {
        var head = $"POST /sso/saml/consume HTTP/1.1\r\nHost: {_host}\r\nContent-Type: application/x-www-form-urlencoded\r\n" +
                   "Content-Length: 100000\r\n\r\nSAMLResponse=";
        var (cut, elapsed, sent, answer) = await DribbleAsync(head, "P");

        await TestContext.Progress.WriteLineAsync(
            $"slow body: cut after {elapsed.TotalSeconds:F1}s having sent {sent} of 100000 body bytes at 2 B/s; server said: '{answer}'");
        Assert.That(cut, Is.True, $"the connection was still open after {Bound.TotalSeconds} s");
        Assert.That(elapsed, Is.LessThan(ConnectionLimits.MinRequestBodyGracePeriod + TimeSpan.FromSeconds(8)));
        Assert.That(elapsed, Is.GreaterThanOrEqualTo(ConnectionLimits.MinRequestBodyGracePeriod - TimeSpan.FromSeconds(1)),
            "cut by the data rate after its grace period, not by something else");
        // The ACS reads the form itself and translates the aborted read into its refusal page (400 request_malformed).
        Assert.That(answer, Is.Empty.Or.StartsWith("HTTP/1.1 4"), "a 4xx or a plain close");
    }

    [Test]
    public async Task AnyRequest_WhenItsHeadersNeverEnd_IsCutOffAfterTheHeadersTimeout()
    {
        var head = $"GET /healthz HTTP/1.1\r\nHost: {_host}\r\nX-Slow: ";
        var (cut, elapsed, sent, answer) = await DribbleAsync(head, "a");

        await TestContext.Progress.WriteLineAsync(
            $"slow headers: cut after {elapsed.TotalSeconds:F1}s having dribbled {sent} header bytes; server said: '{answer}'");
        Assert.That(cut, Is.True, $"the connection was still open after {Bound.TotalSeconds} s");
        Assert.That(elapsed, Is.LessThan(ConnectionLimits.RequestHeadersTimeout + TimeSpan.FromSeconds(5)));
        Assert.That(elapsed, Is.GreaterThanOrEqualTo(ConnectionLimits.RequestHeadersTimeout - TimeSpan.FromSeconds(1)));
        Assert.That(answer, Is.Empty.Or.StartsWith("HTTP/1.1 408"), "either a 408 or a plain close");
    }

    /// <summary>Sends <paramref name="head"/>, then one byte every half second until the server closes the connection
    /// (or the bound passes); returns whether it was cut, when, how many bytes were dribbled and the status line seen.</summary>
    private async Task<(bool Cut, TimeSpan Elapsed, int Sent, string Answer)> DribbleAsync(string head, string unit)
    {
        using var tcp = new TcpClient();
        await tcp.ConnectAsync("127.0.0.1", _service.Port);
        var stream = tcp.GetStream();
        await stream.WriteAsync(Encoding.ASCII.GetBytes(head));
        var stopwatch = Stopwatch.StartNew();
        var received = new StringBuilder();
        var closed = ReadUntilClosedAsync(stream, received);
        var sent = 0;
        using var bound = new CancellationTokenSource(Bound);
        while (!closed.IsCompleted && !bound.IsCancellationRequested)
        {
            try
            {
                await stream.WriteAsync(Encoding.ASCII.GetBytes(unit), bound.Token);
                sent++;
                await Task.WhenAny(closed, Task.Delay(Dribble, bound.Token));
            }
            catch (Exception ex) when (ex is IOException or SocketException or OperationCanceledException or ObjectDisposedException)
            {
                break; // the server reset the connection under the write, or the bound passed
            }
        }

        var cut = await Task.WhenAny(closed, Task.Delay(TimeSpan.FromSeconds(2))) == closed;
        var elapsed = stopwatch.Elapsed;
        var text = received.ToString();
        var firstLine = text.Split("\r\n")[0];
        return (cut, elapsed, sent, firstLine);
    }

    private static async Task ReadUntilClosedAsync(NetworkStream stream, StringBuilder received)
    {
        var buffer = new byte[4096];
        try
        {
            int read;
            while ((read = await stream.ReadAsync(buffer)) > 0)
            {
                received.Append(Encoding.ASCII.GetString(buffer, 0, read));
            }
        }
        catch (Exception ex) when (ex is IOException or SocketException or ObjectDisposedException)
        {
            // A reset is a cut too.
        }
    }
}
