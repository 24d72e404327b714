namespace Acs.Api.Health;

/// <summary>
/// <c>dotnet Acs.Api.dll healthcheck</c>: asks the running service's <c>/readyz</c> on loopback and exits 0 when it
/// answers 200. The container's health check, so the runtime image needs no shell, curl or wget.
/// </summary>
public static class HealthProbe
{
    public const string Command = "healthcheck";

    public static async Task<int> RunAsync()
    {
        // The port the service listens on inside the container (the runtime image sets ASPNETCORE_HTTP_PORTS=8080).
        var port = Environment.GetEnvironmentVariable("ASPNETCORE_HTTP_PORTS")?.Split(';', ',')[0] is { Length: > 0 } configured
            ? configured
            : "8080";
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(3) };
        try
        {
            using var response = await http.GetAsync(new Uri($"http://127.0.0.1:{port}/readyz"));
            await Console.Out.WriteLineAsync($"healthcheck: /readyz answered {(int)response.StatusCode}");
            return response.IsSuccessStatusCode ? 0 : 1;
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
        {
            await Console.Out.WriteLineAsync($"healthcheck: /readyz did not answer: {ex.Message}");
            return 1;
        }
    }
}
