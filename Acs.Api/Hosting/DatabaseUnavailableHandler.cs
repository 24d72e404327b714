using Acs.Api.Pages;
using Acs.Data;
using Microsoft.AspNetCore.Diagnostics;

namespace Acs.Api.Hosting;

/// <summary>
/// A database that is down or out of connections is a passing condition, not a bug: answer 503 with Retry-After
/// (a page for browsers, problem details for API clients) instead of a 500.
/// </summary>
public sealed class DatabaseUnavailableHandler(ILogger<DatabaseUnavailableHandler> logger) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        if (!DatabaseFailures.IsUnavailable(exception))
        {
            return false;
        }

        logger.LogWarning("Database unavailable while serving {Method} {Path}: {Reason}", httpContext.Request.Method,
            httpContext.Request.Path, exception.Message);
        httpContext.Response.Headers.RetryAfter = "5";
        await ErrorResults.ServiceUnavailable(httpContext).ExecuteAsync(httpContext);
        return true;
    }
}
