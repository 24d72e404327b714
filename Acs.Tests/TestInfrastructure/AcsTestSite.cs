using System.Net;
using Acs.Core.Members;
using Acs.Testing.Tenants;
using Acs.Testing.TestIdp;
using Dapper;
using Npgsql;

namespace Acs.Tests.TestInfrastructure;

/// <summary>
/// One database and one service for a test class, with helpers to set up tenants the way an administrator would
/// (rows written directly, so these tests depend only on the login path) and to post Entra-shaped responses.
/// </summary>
public sealed class AcsTestSite : IAsyncDisposable
{
    private AcsTestSite(AcsApiFactory factory, NpgsqlDataSource dataSource)
    {
        Factory = factory;
        Db = dataSource;
    }

    public AcsApiFactory Factory { get; }

    public NpgsqlDataSource Db { get; }

    public static async Task<AcsTestSite> StartAsync(string purpose)
    {
        var connectionString = await PostgresServer.CreateDatabaseAsync(purpose);
        var factory = new AcsApiFactory(connectionString);
        _ = factory.Server; // start now, so failures show in OneTimeSetUp
        return new AcsTestSite(factory, NpgsqlDataSource.Create(connectionString));
    }

    public async ValueTask DisposeAsync()
    {
        await Factory.DisposeAsync();
        await Db.DisposeAsync();
    }

    /// <summary>A tenant whose SSO trusts the test IdP's certificate.</summary>
    public async Task<Guid> CreateTenantAsync(string subdomain, bool jit = true, string defaultRole = MemberRoles.TeamMember,
        string[]? allowedDomains = null, string roleMappingsJson = "{}", bool withSso = true, TestIdpKeys? keys = null)
    {
        var tenant = new SeedTenant(subdomain)
        {
            DisplayName = char.ToUpperInvariant(subdomain[0]) + subdomain[1..] + " Inc.",
            JitEnabled = jit,
            DefaultRole = defaultRole,
            AllowedEmailDomains = allowedDomains ?? [],
            RoleMappingsJson = roleMappingsJson,
        };
        return await TenantSeeder.InsertAsync(Db, withSso ? tenant.WithTestIdp(keys) : tenant);
    }

    public async Task<Guid> CreateMemberAsync(Guid tenantId, string email, string role = MemberRoles.TeamMember, string status = MemberStatuses.Active)
    {
        var id = Guid.NewGuid();
        await using var connection = await Db.OpenConnectionAsync();
        await connection.ExecuteAsync("""
            INSERT INTO members (id, tenant_id, email, first_name, last_name, role, status, created_via, created_at, updated_at)
            VALUES (@id, @tenantId, @email, 'Admin', 'Typed', @role, @status, 'admin', now(), now())
            """, new { id, tenantId, email, role, status });
        return id;
    }

    /// <summary>The base URL of the tenant's site under the https template, or under the plain-http development one.</summary>
    public static string SiteUrl(string subdomain, bool https = true) =>
        https ? $"https://{subdomain}.statuspage.io" : $"http://{subdomain}.acs.localhost";

    /// <summary>An Entra-shaped response for the person, addressed to the tenant's site.</summary>
    public static TestResponseBuilder ResponseFor(string subdomain, string email = "jane.doe@contoso.test",
        string objectId = "9f5c3e2a-7d41-4c8e-b0f6-2a1d3c4b5e6f", string givenName = "Jane", string surname = "Doe", bool https = true)
    {
        var site = SiteUrl(subdomain, https);
        var builder = new TestResponseBuilder
        {
            Destination = $"{site}/sso/saml/consume",
            Recipient = $"{site}/sso/saml/consume",
            Audience = $"{site}/",
            NameId = email,
        };
        Replace(builder, TestResponseBuilder.ClaimEmail, email);
        Replace(builder, TestResponseBuilder.ClaimObjectId, objectId);
        Replace(builder, TestResponseBuilder.ClaimGivenName, givenName);
        Replace(builder, TestResponseBuilder.ClaimSurname, surname);
        return builder;
    }

    public static void Replace(TestResponseBuilder builder, string claim, string? value)
    {
        builder.Attributes.RemoveAll(a => a.Key == claim);
        if (value is not null)
        {
            builder.Attributes.Add(new(claim, value));
        }
    }

    /// <summary>A browser of its own (its own cookie jar) on the tenant's site.</summary>
    public HttpClient Browser(string subdomain, bool https = true) => Factory.CreateTenantClient(subdomain, https);

    /// <param name="cookie">A Cookie header sent in addition to the browser's own cookies.</param>
    public static async Task<HttpResponseMessage> PostAsync(HttpClient client, string samlResponseBase64, string? relayState = null, bool json = false,
        string? cookie = null)
    {
        var fields = new List<KeyValuePair<string, string>> { new("SAMLResponse", samlResponseBase64) };
        if (relayState is not null)
        {
            fields.Add(new("RelayState", relayState));
        }

        using var request = new HttpRequestMessage(HttpMethod.Post, "/sso/saml/consume") { Content = new FormUrlEncodedContent(fields) };
        if (json)
        {
            request.Headers.Accept.ParseAdd("application/json");
        }

        if (cookie is not null)
        {
            request.Headers.Add("Cookie", cookie);
        }

        return await client.SendAsync(request);
    }

    /// <summary>
    /// Submits a form of this site as a browser does: loads the page that shows it, takes the form's antiforgery token
    /// (the cookie stays in the client's jar) and posts the fields with it.
    /// </summary>
    public static async Task<HttpResponseMessage> SubmitFormAsync(HttpClient client, string pagePath, string action,
        IEnumerable<KeyValuePair<string, string>>? fields = null)
    {
        var page = await client.GetStringAsync(new Uri(pagePath, UriKind.Relative));
        var fieldsWithToken = new List<KeyValuePair<string, string>>(fields ?? []) { new(AntiforgeryFieldName, AntiforgeryToken(page)) };
        using var content = new FormUrlEncodedContent(fieldsWithToken);
        return await client.PostAsync(new Uri(action, UriKind.Relative), content);
    }

    public const string AntiforgeryFieldName = "__RequestVerificationToken";

    /// <summary>The antiforgery token a page's form carries.</summary>
    public static string AntiforgeryToken(string html)
    {
        var match = System.Text.RegularExpressions.Regex.Match(html, $"name=\"{AntiforgeryFieldName}\" value=\"([^\"]+)\"");
        Assert.That(match.Success, Is.True, "the page has no form with an antiforgery token");
        return System.Net.WebUtility.HtmlDecode(match.Groups[1].Value);
    }

    public async Task<IReadOnlyList<(string Outcome, string? ErrorCode)>> EventsAsync(Guid tenantId)
    {
        await using var connection = await Db.OpenConnectionAsync();
        var rows = await connection.QueryAsync<(string, string?)>(
            "SELECT outcome, error_code FROM login_events WHERE tenant_id = @tenantId ORDER BY occurred_at, id", new { tenantId });
        return rows.ToList();
    }

    public async Task<long> CountAsync(string sql, object parameters)
    {
        await using var connection = await Db.OpenConnectionAsync();
        return await connection.ExecuteScalarAsync<long>(sql, parameters);
    }

    public static void AssertSeeOther(HttpResponseMessage response, string location)
    {
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.SeeOther));
        Assert.That(response.Headers.Location?.OriginalString, Is.EqualTo(location));
    }
}
