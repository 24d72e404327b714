using System.Net;
using System.Text;
using Acs.Tests.TestInfrastructure;

namespace Acs.Tests.Reliability;

/// <summary>Found by the HTTP fuzz run: a NUL character in a response made the parser's message unstorable in
/// PostgreSQL (22021) and the ACS answered 500. The refusal must be a 400 with its login event recorded.</summary>
[TestFixture]
public sealed class HostileTextStorageTests
{
    private AcsTestSite _site = null!;

    [OneTimeSetUp]
    public async Task StartAsync() => _site = await AcsTestSite.StartAsync("nultext");

    [OneTimeTearDown]
    public async Task StopAsync() => await _site.DisposeAsync();

    [Test]
    public async Task Consume_WithANulCharacterInsideAnXmlName_Answers400AndRecordsTheRefusal()
    {
        var tenantId = await _site.CreateTenantAsync("nultext");
        var xml = AcsTestSite.ResponseFor("nultext").Build().OuterXml;
        // Inside a name, where the parser's message quotes the character itself.
        var withNul = xml.Replace("IssueInstant=", "Issue\0Instant=", StringComparison.Ordinal);
        using var browser = _site.Browser("nultext");

        using var response = await AcsTestSite.PostAsync(browser, Convert.ToBase64String(Encoding.UTF8.GetBytes(withNul)));

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
        var events = await _site.EventsAsync(tenantId);
        Assert.That(events, Has.Count.EqualTo(1));
        Assert.That(events[0], Is.EqualTo(("failure", (string?)"xml_malformed")));
        Assert.That(await _site.CountAsync("SELECT count(*) FROM login_events WHERE tenant_id = @tenantId AND concat(message, expected, received) LIKE '%\uFFFD%'",
            new { tenantId }), Is.EqualTo(1), "the NUL is stored as U+FFFD");
    }
}
