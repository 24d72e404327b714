using Acs.Api.Hosting;
using Microsoft.AspNetCore.Antiforgery;

namespace Acs.Api.Pages;

/// <summary>
/// The framework's antiforgery for this site's own forms. A form renders <c>&lt;AntiforgeryToken /&gt;</c>; its POST
/// endpoint calls <see cref="RequireAntiforgeryToken"/>. Posts that arrive from elsewhere by design (the IdP's post to
/// /sso/saml/consume) and the bearer-key JSON API are exempt.
/// </summary>
public static class FormProtection
{
    public const string FormFieldName = "__RequestVerificationToken";

    public static IServiceCollection AddAcsAntiforgery(this IServiceCollection services, AcsSettings settings)
    {
        // __Host- needs Secure, which a plain-http development site cannot set; such a deployment keeps the plain name.
        var allHttps = settings.PublicUrls.All(u => u.IsHttps);
        services.AddAntiforgery(options =>
        {
            options.FormFieldName = FormFieldName;
            options.Cookie.Name = allHttps ? "__Host-acs_antiforgery" : "acs_antiforgery";
            options.Cookie.Path = "/";
            options.Cookie.SameSite = SameSiteMode.Strict;
            options.Cookie.HttpOnly = true;
            options.Cookie.SecurePolicy = allHttps ? CookieSecurePolicy.Always : CookieSecurePolicy.SameAsRequest;
        });
        return services;
    }

    /// <summary>Refuses the post with a 400 page (or problem details) unless it carries this browser's antiforgery token.</summary>
    public static RouteHandlerBuilder RequireAntiforgeryToken(this RouteHandlerBuilder builder) =>
        builder.AddEndpointFilter(async (context, next) =>
        {
            var http = context.HttpContext;
            var antiforgery = http.RequestServices.GetRequiredService<IAntiforgery>();
            return await antiforgery.IsRequestValidAsync(http)
                ? await next(context)
                : ErrorResults.FormExpired(http);
        });
}
