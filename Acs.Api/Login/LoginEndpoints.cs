using System.Diagnostics;
using Acs.Api.Manage;
using Acs.Api.Pages;
using Acs.Api.Sessions;
using Acs.Api.Tenants;
using Acs.Core.Login;
using Acs.Core.Saml.Bindings;
using Microsoft.AspNetCore.Http.Features;

namespace Acs.Api.Login;

public static class LoginEndpoints
{
    /// <summary>The whole form post may be at most this large: a 256 KiB response, base64-encoded, plus RelayState.</summary>
    public const long MaxConsumeBodyBytes = 400 * 1024;

    /// <summary>What a log line prints for a field the sign-in has no value for (a failure has no member, a success no code).</summary>
    public const string NoValue = "-";

    public static IEndpointRouteBuilder MapLoginEndpoints(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/sso/saml").RequireTenantSite().ExcludeFromDescription();
        // IdPs post cross-site: no antiforgery token exists for this form.
        group.MapPost("/consume", Consume).DisableAntiforgery();
        group.MapGet("/consume", ErrorResults.ConsumeNeedsPost);
        group.MapGet("/login", StartSignIn);
        return app;
    }

    internal static async Task<IResult> Consume(HttpContext http, LoginService login, TimeProvider time, ILoggerFactory loggers,
        CancellationToken cancellationToken)
    {
        var site = http.GetTenantSite();
        var started = Stopwatch.GetTimestamp();
        var (samlResponse, relayState, refusal) = await ReadFormAsync(http, cancellationToken);
        var attempt = new LoginAttempt(site.Tenant, site.SpEntityId, site.AcsUrl, samlResponse,
            http.Connection.RemoteIpAddress?.ToString(), Truncate(http.Request.Headers.UserAgent.ToString(), 512))
        {
            RequestBindings = AuthnRequestCookies.Read(http, site),
        };

        var result = refusal is null
            ? await login.SignInAsync(attempt, cancellationToken)
            : await login.RefuseAsync(attempt, refusal.Value.Code, refusal.Value.Message, cancellationToken);

        loggers.CreateLogger("Acs.Login").LogInformation(
            "Login {Outcome} tenant={Tenant} code={ErrorCode} cause={Cause} event={EventId} member={MemberId} duration_ms={DurationMs:0.0}",
            result.Succeeded ? LoginOutcomes.Success : LoginOutcomes.Failure, site.Subdomain, result.Failure?.Code ?? NoValue,
            result.Failure?.Diagnosis?.Cause ?? NoValue, result.EventId, result.Success?.Member.Id.ToString() ?? NoValue,
            Stopwatch.GetElapsedTime(started).TotalMilliseconds);

        if (!result.Succeeded)
        {
            // A test started on the administration pages comes back there, where the failure is explained in full.
            if (!ErrorResults.WantsJson(http) && ManageCookies.TestStartedAt(http, site, time.GetUtcNow()) is { } testStarted
                && time.GetUtcNow() - testStarted <= login.AuthnRequestLifetime)
            {
                return new SeeOther(ManageEndpoints.SsoPath + "?done=test");
            }

            return ErrorResults.LoginFailed(http, result.EventId, result.Failure);
        }

        SessionCookies.Issue(http, site, result.Success.SessionToken, result.Success.SessionExpiresAt - time.GetUtcNow());
        if (result.Success.AnsweredRequestId is { } answered)
        {
            AuthnRequestCookies.Clear(http, site, answered);
        }

        http.Response.Headers.CacheControl = "no-store";
        // An SP-initiated sign-in returns where it started; RelayState of an unsolicited one is only a path on this site.
        // Either way it is made safe again here: the sign-in has committed, and writing the redirect must not fail.
        return new SeeOther(RelayStates.SafeRedirectPath(result.Success.ReturnTo ?? relayState));
    }

    /// <summary>
    /// SP-initiated sign-in: an AuthnRequest to the tenant's SSO Target URL over the HTTP-Redirect binding. RelayState
    /// carries the request ID, a reference to the stored return path, never the path itself; a cookie binds the
    /// request to this browser (<see cref="AuthnRequestCookies"/>).
    /// </summary>
    internal static async Task<IResult> StartSignIn(HttpContext http, LoginService login, TimeProvider time, string? returnTo,
        CancellationToken cancellationToken)
    {
        var site = http.GetTenantSite();
        if (site.Tenant.Idp is not { } idp)
        {
            return ErrorResults.LoginFailed(http, Guid.Empty, new LoginFailure(LoginErrorCodes.SsoNotConfigured,
                "Single sign-on is not configured for this site.", LoginFailureKind.NotConfigured, LoginErrorHints.HintFor(LoginErrorCodes.SsoNotConfigured)));
        }

        var started = await login.StartSignInAsync(site.Tenant, site.AcsUrl, RelayStates.SafeRedirectPath(returnTo), cancellationToken);
        var requestId = started.RequestId;
        AuthnRequestCookies.Issue(http, site, started);
        var request = AuthnRequestWriter.Write(requestId, time.GetUtcNow(), idp.SsoTargetUrl, site.SpEntityId, site.AcsUrl);
        var separator = idp.SsoTargetUrl.Contains('?', StringComparison.Ordinal) ? '&' : '?';
        var location = $"{idp.SsoTargetUrl}{separator}SAMLRequest={Uri.EscapeDataString(RedirectBinding.Encode(request))}" +
                       $"&RelayState={Uri.EscapeDataString(requestId)}";
        http.Response.Headers.CacheControl = "no-store";
        return TypedResults.Redirect(location);
    }

    /// <summary>Reads SAMLResponse and RelayState with the body capped before anything is buffered.</summary>
    private static async Task<(string? SamlResponse, string? RelayState, (string Code, string Message)? Refusal)> ReadFormAsync(
        HttpContext http, CancellationToken cancellationToken)
    {
        if (http.Request.ContentLength > MaxConsumeBodyBytes)
        {
            return (null, null, (LoginErrorCodes.RequestTooLarge, $"The post is {http.Request.ContentLength} bytes; at most {MaxConsumeBodyBytes} are read."));
        }

        if (!http.Request.HasFormContentType)
        {
            return (null, null, (LoginErrorCodes.RequestMalformed,
                $"The post is not a form (Content-Type '{Truncate(http.Request.ContentType, 100)}'); the IdP must use the HTTP-POST binding."));
        }

        var sizeFeature = http.Features.Get<IHttpMaxRequestBodySizeFeature>();
        if (sizeFeature is { IsReadOnly: false })
        {
            sizeFeature.MaxRequestBodySize = MaxConsumeBodyBytes;
        }

        try
        {
            var form = await http.Request.ReadFormAsync(cancellationToken);
            var response = form["SAMLResponse"];
            var relay = form["RelayState"];
            if (response.Count > 1 || relay.Count > 1)
            {
                return (null, null, (LoginErrorCodes.RequestMalformed, "The post carries SAMLResponse or RelayState more than once."));
            }

            if (relay.Count == 1 && relay[0]!.Length > RelayStates.MaxLength)
            {
                return (response.ToString(), null, (LoginErrorCodes.RelayStateTooLong, $"RelayState is longer than {RelayStates.MaxLength} characters."));
            }

            return (response.Count == 1 ? response[0] : null, relay.Count == 1 ? relay[0] : null, null);
        }
        catch (BadHttpRequestException ex) when (ex.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            return (null, null, (LoginErrorCodes.RequestTooLarge, $"The post is larger than {MaxConsumeBodyBytes} bytes."));
        }
        catch (Exception ex) when (ex is InvalidDataException or BadHttpRequestException or IOException)
        {
            return (null, null, (LoginErrorCodes.RequestMalformed, "The form could not be read: " + ex.Message));
        }
    }

    private static string? Truncate(string? value, int length) => value is null || value.Length <= length ? value : value[..length];
}
