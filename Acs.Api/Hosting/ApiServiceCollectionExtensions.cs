using Acs.Api.Admin;
using Acs.Api.EncryptionKeys;
using Acs.Api.Health;
using Acs.Api.Pages;
using Acs.Api.Retention;
using Acs.Api.Rollover;
using Acs.Api.Telemetry;
using Acs.Api.Tenants;
using Acs.Core.Login;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.HttpOverrides;

namespace Acs.Api.Hosting;

public static class ApiServiceCollectionExtensions
{
    /// <summary>Registers the HTTP side: settings, problem details, health checks, forwarded headers.</summary>
    public static IServiceCollection AddAcsApi(this IServiceCollection services, AcsSettings settings, IConfiguration configuration)
    {
        services.AddSingleton(settings);
        services.AddAcsConnectionLimits();
        services.AddSingleton(new LoginOptions(settings.SessionLifetime));
        services.AddSingleton(settings.Manage);
        services.AddSingleton(new AuthnRequestBinding(settings.SignInBindingKey));
        services.AddHostedService<ExpiredDataPurgeService>();
        services.AddHostedService<TenantChangeListenerService>();
        services.AddProblemDetails();
        services.AddRazorComponents();
        services.AddAcsAntiforgery(settings);
        services.AddExceptionHandler<DatabaseUnavailableHandler>();
        services.AddAcsHealthChecks();
        services.AddAcsRateLimiting(settings);
        services.AddAcsAdmin();
        services.AddAcsEncryptionKeys(settings);
        services.AddAcsRollover(settings.MetadataRefresh);
        services.AddAcsTelemetry(settings, configuration);
        services.Configure<ForwardedHeadersOptions>(options =>
        {
            options.ForwardedHeaders = ForwardedHeaders.XForwardedFor | ForwardedHeaders.XForwardedProto | ForwardedHeaders.XForwardedHost;
            // Only the configured proxies may speak for the client: a spoofed X-Forwarded-Host must not pick another tenant.
            options.KnownIPNetworks.Clear();
            options.KnownProxies.Clear();
            foreach (var proxy in settings.TrustedProxies)
            {
                options.KnownProxies.Add(proxy);
            }
        });
        return services;
    }

    public static WebApplication UseAcsPipeline(this WebApplication app)
    {
        var settings = app.Services.GetRequiredService<AcsSettings>();
        if (settings.TrustedProxies.Count > 0)
        {
            app.UseForwardedHeaders();
        }

        app.UseExceptionHandler();
        // Before status-code pages and rate limits: a scrape is answered by the exporter alone.
        app.UseAcsMetricsEndpoint();
        app.UseStatusCodePages(StatusCodePage);
        app.Use(static (http, next) =>
        {
            // Browsers ignore HSTS over http, so it is only sent where it means something.
            if (http.Request.IsHttps)
            {
                http.Response.Headers.StrictTransportSecurity = "max-age=31536000";
            }

            return next(http);
        });
        if (settings.RateLimits.Enabled)
        {
            app.UseRateLimiter();
        }

        app.UseAntiforgery();
        app.MapSiteAssets();

        return app;
    }

    /// <summary>Answers without a body (no route, wrong method, too large…): a page for browsers, problem details for the rest.</summary>
    private static async Task StatusCodePage(StatusCodeContext context)
    {
        var http = context.HttpContext;
        if (ErrorResults.WantsHtml(http))
        {
            var page = await ErrorResults.StatusPageAsync(http, http.Response.StatusCode);
            await page.ExecuteAsync(http);
            return;
        }

        var problems = http.RequestServices.GetRequiredService<IProblemDetailsService>();
        if (!await problems.TryWriteAsync(new ProblemDetailsContext { HttpContext = http, ProblemDetails = { Status = http.Response.StatusCode } }))
        {
            await http.Response.WriteAsync($"Status Code: {http.Response.StatusCode}");
        }
    }
}
