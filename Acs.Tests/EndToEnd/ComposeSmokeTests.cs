using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using Acs.Testing.TestIdp;
using Acs.Tests.TestInfrastructure;

namespace Acs.Tests.EndToEnd;

/// <summary>
/// The repository's docker-compose.yml as an operator runs it: built and started with a real password and key, then
/// used over HTTP from the host — a tenant set up through the admin API, a signed response posted to its ACS, the
/// database restarted, the stack taken down and up again. Needs a Docker engine with Compose (CI sets one up).
/// </summary>
[Category("Slow")]
[NonParallelizable]
public sealed class ComposeSmokeTests
{
    private const string Subdomain = "acme";
    private static readonly TimeSpan UpTimeout = TimeSpan.FromMinutes(15);

    private string _repository = null!;
    private string _project = null!;
    private string _envFile = null!;
    private string _adminKey = null!;
    private int _port;

    [OneTimeSetUp]
    public async Task RequireComposeAsync()
    {
        var (exitCode, output) = await TryRunAsync("docker", ["compose", "version"], TimeSpan.FromSeconds(30));
        var (infoExit, info) = exitCode == 0 ? await TryRunAsync("docker", ["info", "--format", "{{.ServerVersion}}"], TimeSpan.FromSeconds(30)) : (exitCode, output);
        if (exitCode != 0 || infoExit != 0)
        {
            var reason = $"no Docker engine with Compose answers ({(exitCode != 0 ? output : info).Trim()})";
            if (Environment.GetEnvironmentVariable("CI") is not null)
            {
                Assert.Fail($"{reason}; CI must set one up (../shared/containers/setup.sh)");
            }

            Assert.Ignore($"SKIPPED (not in CI): {reason}");
        }

        _repository = FindRepository();
        // One project per checkout, so two clones on one engine never share containers or volumes.
        _project = "acs-smoke-" + Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(
            System.Text.Encoding.UTF8.GetBytes(_repository)))[..8].ToLowerInvariant();
        _port = FreePort();
        _adminKey = Convert.ToHexString(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32));
        _envFile = Path.Combine(Directory.CreateTempSubdirectory("acs-compose-").FullName, ".env");
        await File.WriteAllTextAsync(_envFile, $"""
            POSTGRES_PASSWORD={Convert.ToHexString(System.Security.Cryptography.RandomNumberGenerator.GetBytes(16))}
            ACS_ADMIN_API_KEY={_adminKey}
            ACS_PUBLIC_URL=http://{"{subdomain}"}.acs.localhost:{_port}
            ACS_HTTP_PORT={_port}
            """);
        await ComposeAsync(["down", "-v", "--remove-orphans"], TimeSpan.FromMinutes(2));
    }

    [OneTimeTearDown]
    public async Task DownAsync()
    {
        if (_envFile is not null)
        {
            await ComposeAsync(["down", "-v", "--remove-orphans"], TimeSpan.FromMinutes(2));
            Directory.Delete(Path.GetDirectoryName(_envFile)!, recursive: true);
        }
    }

    [Test]
    public async Task ComposeStack_SignsIn_SurvivesADatabaseRestart_AndKeepsItsDataAcrossDownAndUp()
    {
        await MustComposeAsync(["up", "-d", "--wait", "--build"], UpTimeout);
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{_port}"), Timeout = TimeSpan.FromSeconds(30) };
        http.DefaultRequestHeaders.Authorization = new("Bearer", _adminKey);

        using (var created = await http.PostAsJsonAsync("/admin/tenants", new { subdomain = Subdomain, displayName = "Acme Inc." }))
        {
            Assert.That(created.StatusCode, Is.EqualTo(HttpStatusCode.Created), await created.Content.ReadAsStringAsync());
        }

        using (var sso = await http.PutAsJsonAsync($"/admin/tenants/{Subdomain}/sso", new
        {
            ssoTargetUrl = "https://login.microsoftonline.com/11111111-2222-3333-4444-555555555555/saml2",
            idpEntityId = TestResponseBuilder.IdpEntityId,
            certificate = TestIdpKeys.Default.Certificate.ExportCertificatePem(),
        }))
        {
            Assert.That(sso.StatusCode, Is.EqualTo(HttpStatusCode.OK), await sso.Content.ReadAsStringAsync());
        }

        await SignInAsync("first sign-in");

        await MustComposeAsync(["restart", "postgres"], TimeSpan.FromMinutes(2));
        await WaitUntilReadyAsync(http, TimeSpan.FromSeconds(90));
        await SignInAsync("sign-in after the database restart");

        await MustComposeAsync(["down"], TimeSpan.FromMinutes(2));
        await MustComposeAsync(["up", "-d", "--wait"], UpTimeout);
        using var kept = await http.GetAsync(new Uri($"/admin/tenants/{Subdomain}", UriKind.Relative));
        Assert.That(kept.StatusCode, Is.EqualTo(HttpStatusCode.OK), "the tenant outlives down/up (named volume)");
    }

    /// <summary>A browser's sign-in: a freshly signed response posted with the tenant's Host header, then /api/me.</summary>
    private async Task SignInAsync(string step)
    {
        var site = $"http://{Subdomain}.acs.localhost:{_port}";
        var now = DateTimeOffset.UtcNow;
        var builder = AcsTestSite.ResponseFor(Subdomain);
        builder.Destination = builder.Recipient = site + "/sso/saml/consume";
        builder.Audience = site + "/";
        builder.IssueInstant = now;
        builder.NotBefore = now.AddMinutes(-5);
        builder.NotOnOrAfter = now.AddHours(1);
        builder.ConfirmationNotOnOrAfter = now.AddMinutes(5);

        using var browser = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false, UseCookies = false })
        {
            BaseAddress = new Uri($"http://127.0.0.1:{_port}"),
            Timeout = TimeSpan.FromSeconds(30),
        };
        using var post = new HttpRequestMessage(HttpMethod.Post, "/sso/saml/consume")
        {
            Content = new FormUrlEncodedContent([new("SAMLResponse", builder.BuildBase64())]),
        };
        post.Headers.Host = $"{Subdomain}.acs.localhost:{_port}";
        using var consumed = await browser.SendAsync(post);
        Assert.That(consumed.StatusCode, Is.EqualTo(HttpStatusCode.SeeOther), $"{step}: {await consumed.Content.ReadAsStringAsync()}");
        var cookie = consumed.Headers.GetValues("Set-Cookie").Single(c => c.StartsWith("acs_session=", StringComparison.Ordinal));

        using var me = new HttpRequestMessage(HttpMethod.Get, "/api/me");
        me.Headers.Host = post.Headers.Host;
        me.Headers.Add("Cookie", cookie.Split(';')[0]);
        using var answer = await browser.SendAsync(me);
        Assert.That(answer.StatusCode, Is.EqualTo(HttpStatusCode.OK), $"{step}: /api/me");
        Assert.That(await answer.Content.ReadAsStringAsync(), Does.Contain("jane.doe@contoso.test"), step);
    }

    private static async Task WaitUntilReadyAsync(HttpClient http, TimeSpan patience)
    {
        var deadline = DateTime.UtcNow + patience;
        var last = "no answer";
        while (DateTime.UtcNow < deadline)
        {
            try
            {
                using var ready = await http.GetAsync(new Uri("/readyz", UriKind.Relative));
                if (ready.StatusCode == HttpStatusCode.OK)
                {
                    return;
                }

                last = ((int)ready.StatusCode).ToString(System.Globalization.CultureInfo.InvariantCulture);
            }
            catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
            {
                last = ex.Message;
            }

            await Task.Delay(500);
        }

        Assert.Fail($"/readyz did not answer 200 within {patience.TotalSeconds:0} s (last: {last})");
    }

    private async Task MustComposeAsync(string[] arguments, TimeSpan timeout)
    {
        var (exitCode, output) = await ComposeAsync(arguments, timeout);
        if (exitCode != 0)
        {
            var (_, logs) = await ComposeAsync(["logs", "--no-color", "--tail", "60"], TimeSpan.FromMinutes(1));
            Assert.Fail($"docker compose {string.Join(' ', arguments)} failed ({exitCode}):\n{output}\n--- logs ---\n{logs}");
        }
    }

    private Task<(int ExitCode, string Output)> ComposeAsync(string[] arguments, TimeSpan timeout) =>
        TryRunAsync("docker", ["compose", "--project-name", _project, "--project-directory", _repository, "--env-file", _envFile,
            "-f", Path.Combine(_repository, "docker-compose.yml"), .. arguments], timeout);

    private static async Task<(int ExitCode, string Output)> TryRunAsync(string fileName, string[] arguments, TimeSpan timeout)
    {
        try
        {
            return await ProcessRunner.RunAsync(fileName, arguments, timeout);
        }
        catch (System.ComponentModel.Win32Exception ex)
        {
            return (-1, ex.Message);
        }
    }

    private static string FindRepository()
    {
        for (var folder = new DirectoryInfo(AppContext.BaseDirectory); folder is not null; folder = folder.Parent)
        {
            if (File.Exists(Path.Combine(folder.FullName, "docker-compose.yml")) && File.Exists(Path.Combine(folder.FullName, "AcsService.sln")))
            {
                return folder.FullName;
            }
        }

        throw new InvalidOperationException("the repository (docker-compose.yml beside AcsService.sln) is not above the test binaries");
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
    }
}
