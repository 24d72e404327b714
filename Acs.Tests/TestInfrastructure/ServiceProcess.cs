using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Acs.Tests.TestInfrastructure;

/// <summary>
/// The service as operators run it: the built Acs.Api.dll in its own process on a free loopback port, configured by
/// environment variables, over its own database. For tests a real browser must reach.
/// </summary>
public sealed class ServiceProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();
    private readonly string _keyFolder;

    private ServiceProcess(Process process, int port, string keyFolder)
    {
        _process = process;
        Port = port;
        _keyFolder = keyFolder;
    }

    public int Port { get; }

    public string Output
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    public string TenantUrl(string subdomain) => $"http://{subdomain}.acs.localhost:{Port}";

    /// <param name="environment">More environment variables for the service, set after the defaults.</param>
    public static async Task<ServiceProcess> StartAsync(string connectionString, string environmentName = "Development",
        IDictionary<string, string>? environment = null)
    {
        var port = FreePort();
        var keyFolder = Directory.CreateTempSubdirectory("acs-dev-idp-").FullName;
        var info = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = AppContext.BaseDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        info.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "Acs.Api.dll"));
        info.Environment["ASPNETCORE_ENVIRONMENT"] = environmentName;
        info.Environment["ASPNETCORE_URLS"] = $"http://localhost:{port}";
        info.Environment["ConnectionStrings__Acs"] = connectionString;
        info.Environment["Acs__PublicUrls__0"] = "http://{subdomain}.acs.localhost:" + port;
        info.Environment["Acs__AdminApiKey"] = AcsApiFactory.AdminApiKey;
        info.Environment["Acs__DevelopmentIdp__KeyFile"] = Path.Combine(keyFolder, "signing-key.pem");
        info.Environment["Logging__LogLevel__Default"] = "Warning";
        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            info.Environment[name] = value;
        }

        var process = Process.Start(info) ?? throw new InvalidOperationException("could not start Acs.Api.dll");
        var service = new ServiceProcess(process, port, keyFolder);
        process.OutputDataReceived += (_, e) => service.Append(e.Data);
        process.ErrorDataReceived += (_, e) => service.Append(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        var deadline = DateTime.UtcNow.AddSeconds(90);
        while (DateTime.UtcNow < deadline)
        {
            if (process.HasExited)
            {
                throw new InvalidOperationException($"the service exited with {process.ExitCode}: {service.Output}");
            }

            try
            {
                using var ready = await http.GetAsync(new Uri($"http://localhost:{port}/readyz"));
                if (ready.StatusCode == HttpStatusCode.OK)
                {
                    return service;
                }
            }
            catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
            {
            }

            await Task.Delay(250);
        }

        await service.DisposeAsync();
        throw new TimeoutException($"the service was not ready within 90 s: {service.Output}");
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
        Directory.Delete(_keyFolder, recursive: true);
    }

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_output)
        {
            _output.AppendLine(line);
        }
    }

    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
