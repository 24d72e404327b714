using Acs.Api.Hosting;
using Acs.Api.Pages;
using Acs.Api.Tenants;
using Acs.Core.Certificates;
using Acs.Core.DevelopmentIdp;
using Acs.Core.Saml.Bindings;
using Acs.Data.Tenants;

namespace Acs.Api.DevelopmentIdp;

/// <summary>
/// A development IdP on every tenant host at <c>/dev/idp</c>: pick a user, and it posts a signed, Entra-shaped
/// response to the tenant's ACS, as Entra's My Apps tile does. Mapped only in Development (or when
/// <c>Acs__DevelopmentIdp__Enabled</c> is true), and never in Production.
/// </summary>
public static class DevelopmentIdpEndpoints
{
    public const string DemoSubdomain = "demo";
    public const string AdminRoleClaim = "StatusPageAdmins";

    public static bool IsEnabled(IHostEnvironment environment, AcsSettings settings) =>
        !environment.IsProduction() && (environment.IsDevelopment() || settings.DevelopmentIdpEnabled);

    public static IServiceCollection AddDevelopmentIdp(this IServiceCollection services, IConfiguration configuration,
        IHostEnvironment environment, AcsSettings settings)
    {
        if (!IsEnabled(environment, settings))
        {
            return services;
        }

        var keyFile = configuration["Acs:DevelopmentIdp:KeyFile"]
                      ?? Path.Combine(environment.ContentRootPath, "dev-idp", "signing-key.pem");
        services.AddSingleton(sp =>
        {
            var (key, certificate) = DevelopmentIdpKeyFile.LoadOrCreate(keyFile);
            return new DevelopmentIdpResponseIssuer(key, certificate, sp.GetRequiredService<TimeProvider>());
        });
        return services;
    }

    /// <summary>Seeds the demo tenant when the development IdP is on; false (logged in one line) when its key cannot be kept.</summary>
    public static async Task<bool> SeedDemoTenantAsync(this WebApplication app)
    {
        DevelopmentIdpResponseIssuer? issuer;
        try
        {
            issuer = app.Services.GetService<DevelopmentIdpResponseIssuer>();
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            app.Logger.LogCritical("The development IdP cannot keep its signing key: {Reason} Set Acs__DevelopmentIdp__KeyFile to a writable path.",
                ex.Message);
            return false;
        }

        if (issuer is null)
        {
            return true;
        }

        var template = app.Services.GetRequiredService<AcsSettings>().PublicUrls[0];
        var created = await app.Services.GetRequiredService<DemoTenantSeeder>().EnsureAsync(DemoSubdomain, "Demo Company",
            DevelopmentIdpResponseIssuer.EntityId, template.BaseUrl(DemoSubdomain) + "/dev/idp",
            $$"""{"{{AdminRoleClaim}}":"client_administrator"}""", TrustedCertificate.FromDer(issuer.Certificate.RawData),
            app.Services.GetRequiredService<TimeProvider>().GetUtcNow(), CancellationToken.None);
        app.Logger.LogInformation("Development IdP on. {Action} demo tenant: open {Url}/", created ? "Created the" : "Kept the",
            template.BaseUrl(DemoSubdomain));
        return true;
    }

    public static IEndpointRouteBuilder MapDevelopmentIdpEndpoints(this IEndpointRouteBuilder app)
    {
        if (app.ServiceProvider.GetService<DevelopmentIdpResponseIssuer>() is null)
        {
            return app;
        }

        var group = app.MapGroup("/dev/idp").RequireTenantSite().ExcludeFromDescription();
        group.MapGet("/", ShowSignInForm);
        group.MapPost("/", PostResponse).RequireAntiforgeryToken();
        return app;
    }

    private static IResult ShowSignInForm(HttpContext http, string? samlRequest, string? relayState)
    {
        var site = http.GetTenantSite();
        string? requestId = null;
        if (samlRequest is not null)
        {
            // An SP-initiated sign-in: answer the AuthnRequest the site sent here.
            if (AuthnRequestReader.TryRead(samlRequest) is not { } request)
            {
                return RequestRefused(http, site, "The SAMLRequest could not be read.");
            }

            if (request.AssertionConsumerServiceUrl is { Length: > 0 } acs && acs != site.AcsUrl)
            {
                return RequestRefused(http, site, $"The request asks for an ACS ({acs}) that is not this site's.");
            }

            requestId = request.Id;
        }

        return PageResults.Page<DevelopmentIdpPage>(http, new
        {
            TenantName = site.Tenant.DisplayName,
            RoleClaim = AdminRoleClaim,
            InResponseTo = requestId,
            RelayState = relayState,
        });
    }

    private static IResult RequestRefused(HttpContext http, TenantSite site, string text) =>
        PageResults.Page<ErrorPage>(http, new
        {
            Title = "Development IdP",
            Message = text,
            SiteName = site.Tenant.DisplayName,
            Links = new PageLink[] { new("Sign in again", ErrorResults.SignInAgainPath), new("Site home", "/") },
        }, StatusCodes.Status400BadRequest);

    private static async Task<IResult> PostResponse(HttpContext http, DevelopmentIdpResponseIssuer issuer)
    {
        var site = http.GetTenantSite();
        var form = await http.Request.ReadFormAsync(http.RequestAborted);
        var signIn = new DevelopmentSignIn(
            Email: Field(form, "email") ?? "britta.simon@contoso.com",
            FirstName: Field(form, "firstName") ?? string.Empty,
            LastName: Field(form, "lastName") ?? string.Empty,
            Role: Field(form, "role"),
            SignMode: Enum.TryParse<DevelopmentSignMode>(Field(form, "signMode"), out var mode) ? mode : DevelopmentSignMode.Assertion,
            Tamper: Field(form, "tamper") == "true",
            InResponseTo: Field(form, "inResponseTo"));
        var samlResponse = issuer.Issue(signIn, site.SpEntityId, site.AcsUrl);
        var relayState = Field(form, "relayState");

        // The browser posts the response on, exactly as after an Entra sign-in; the page's one script is this site's file.
        var page = PageResults.Page<PostResponsePage>(http, new
        {
            TenantName = site.Tenant.DisplayName,
            site.AcsUrl,
            SamlResponse = samlResponse,
            RelayState = relayState,
        });
        http.Response.Headers.ContentSecurityPolicy = PageResults.ContentSecurityPolicy + "; script-src 'self'";
        return page;
    }

    private static string? Field(IFormCollection form, string name) =>
        form.TryGetValue(name, out var value) && !string.IsNullOrWhiteSpace(value.ToString()) ? value.ToString().Trim() : null;
}
