using System.Security.Cryptography;
using System.Text;
using Acs.Api.Hosting;
using Microsoft.Net.Http.Headers;

namespace Acs.Api.Admin;

/// <summary>
/// Lets a request through only with <c>Authorization: Bearer &lt;Acs__AdminApiKey&gt;</c>. The SHA-256 hashes are
/// compared in constant time, so neither the key's content nor its length leaks through timing.
/// </summary>
internal sealed class AdminApiKeyFilter(AcsSettings settings, ILogger<AdminApiKeyFilter> logger) : IEndpointFilter
{
    public const string MissingCode = "admin_key_missing";
    public const string InvalidCode = "admin_key_invalid";

    private readonly byte[] _expectedHash = SHA256.HashData(Encoding.UTF8.GetBytes(settings.AdminApiKey));

    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var http = context.HttpContext;
        var presented = ReadBearer(http.Request.Headers.Authorization.ToString());
        if (presented is not null && FixedTimeEqualsHash(presented))
        {
            return await next(context);
        }

        var code = presented is null ? MissingCode : InvalidCode;
        // The presented key is never logged: a near-miss key is still a secret.
        logger.LogWarning("Admin API request refused ({Reason}): {Method} {Path} from {RemoteAddress}",
            code, http.Request.Method, http.Request.Path.Value, http.Connection.RemoteIpAddress?.ToString() ?? "-");
        http.Response.Headers[HeaderNames.WWWAuthenticate] = "Bearer";
        return AdminProblems.Problem(StatusCodes.Status401Unauthorized, code,
            presented is null ? "Send the operator API key as 'Authorization: Bearer <key>'." : "The API key is not valid.");
    }

    private bool FixedTimeEqualsHash(string presented) =>
        CryptographicOperations.FixedTimeEquals(SHA256.HashData(Encoding.UTF8.GetBytes(presented)), _expectedHash);

    private static string? ReadBearer(string header)
    {
        const string scheme = "Bearer ";
        if (!header.StartsWith(scheme, StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }

        var key = header[scheme.Length..].Trim();
        return key.Length == 0 ? null : key;
    }
}
