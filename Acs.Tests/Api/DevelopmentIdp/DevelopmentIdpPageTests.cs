using System.Net;
using System.Text.RegularExpressions;
using Acs.Tests.TestInfrastructure;

namespace Acs.Tests.Api.DevelopmentIdp;

/// <summary>The development IdP's form: every input has its own label before it, and the form carries antiforgery.</summary>
public sealed partial class DevelopmentIdpPageTests
{
    private string _keyFolder = null!;
    private AcsApiFactory _factory = null!;

    [OneTimeSetUp]
    public async Task Start()
    {
        _keyFolder = Directory.CreateTempSubdirectory("acs-dev-idp-page-").FullName;
        _factory = new AcsApiFactory(await PostgresServer.CreateDatabaseAsync("devidppage"), new Dictionary<string, string?>
        {
            ["Acs:DevelopmentIdp:Enabled"] = "true",
            ["Acs:DevelopmentIdp:KeyFile"] = Path.Combine(_keyFolder, "key.pem"),
        });
    }

    [OneTimeTearDown]
    public async Task Stop()
    {
        await _factory.DisposeAsync();
        Directory.Delete(_keyFolder, recursive: true);
    }

    [Test]
    public async Task EveryVisibleInput_HasALabelForIt_DirectlyBeforeIt()
    {
        var html = await _factory.CreateTenantClient("demo").GetStringAsync(new Uri("/dev/idp", UriKind.Relative));

        var controls = Control().Matches(html).Where(m => !m.Value.Contains("type=\"hidden\"", StringComparison.Ordinal)).ToList();
        Assert.That(controls.Select(c => IdOf(c.Value)), Is.SupersetOf(new[] { "email", "firstName", "lastName", "role", "signMode", "tamper" }));
        foreach (var control in controls)
        {
            var id = IdOf(control.Value);
            Assert.That(id, Is.Not.Null, $"{control.Value} has no id a label could name");
            var label = html.IndexOf($"<label for=\"{id}\">", StringComparison.Ordinal);
            Assert.That(label, Is.GreaterThanOrEqualTo(0), $"no label for {id}");
            // The checkbox precedes its label by convention; every text field and select follows its own label,
            // with no other control in between (so "Surname" can no longer sit beside the First name box).
            if (!control.Value.Contains("type=\"checkbox\"", StringComparison.Ordinal))
            {
                Assert.That(label, Is.LessThan(control.Index), $"the label of {id} comes after its input");
                Assert.That(controls.Any(c => c.Index > label && c.Index < control.Index), Is.False, $"another input sits between {id} and its label");
            }
        }
    }

    [Test]
    public async Task SignInForm_PostedWithoutItsAntiforgeryToken_IsRefused()
    {
        using var client = _factory.CreateTenantClient("demo");
        using var form = new FormUrlEncodedContent([new("email", "britta.simon@contoso.com")]);

        using var response = await client.PostAsync(new Uri("/dev/idp", UriKind.Relative), form);

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
        Assert.That(await response.Content.ReadAsStringAsync(), Does.Contain("form_expired").And.Not.Contain("SAMLResponse"));
    }

    [Test]
    public async Task SignInForm_PostedWithItsToken_AnswersWithTheAutoPostPage_WhoseOnlyScriptIsThisSitesFile()
    {
        using var client = _factory.CreateTenantClient("demo");

        using var response = await AcsTestSite.SubmitFormAsync(client, "/dev/idp", "/dev/idp", [new("email", "britta.simon@contoso.com")]);

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        var html = await response.Content.ReadAsStringAsync();
        Assert.That(html, Does.Contain("name=\"SAMLResponse\"").And.Contain("<script src=\"/assets/post-on.js?v="));
        Assert.That(Regex.IsMatch(html, "<script>"), Is.False, "no inline script");
        Assert.That(response.Headers.GetValues("Content-Security-Policy").Single(), Does.Contain("script-src 'self'").And.Not.Contain("unsafe-inline"));
    }

    private static string? IdOf(string tag) => IdAttribute().Match(tag) is { Success: true } m ? m.Groups[1].Value : null;

    [GeneratedRegex("<(input|select)\\b[^>]*>")]
    private static partial Regex Control();

    [GeneratedRegex("\\bid=\"([^\"]+)\"")]
    private static partial Regex IdAttribute();
}
