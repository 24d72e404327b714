namespace Acs.Api.Pages;

/// <summary>303 See Other: after a POST the browser follows with a GET, as the SAML POST binding expects.</summary>
public sealed class SeeOther(string location) : IResult
{
    /// <summary>The location, or <c>/</c> when it could not be sent as a header: the redirect follows a committed sign-in
    /// and must never fail.</summary>
    public string Location { get; } = IsHeaderSafe(location) ? location : "/";

    public Task ExecuteAsync(HttpContext httpContext)
    {
        httpContext.Response.StatusCode = StatusCodes.Status303SeeOther;
        httpContext.Response.Headers.Location = Location;
        return Task.CompletedTask;
    }

    private static bool IsHeaderSafe(string? location) =>
        !string.IsNullOrEmpty(location) && location.All(c => c is > ' ' and < '\u007F');
}
