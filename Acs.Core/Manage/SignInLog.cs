using Acs.Core.Login;
using Acs.Core.LoginEvents;

namespace Acs.Core.Manage;

/// <summary>The sign-in log's filter as typed on the page: outcome and a part of a person's e-mail or name ID.</summary>
public sealed record SignInLogFilter(string? Outcome, string? Person)
{
    public const int MaxPersonLength = 254;
    public const int Limit = 100;

    /// <summary>Unknown outcomes and over-long text are ignored, not refused: this is a filter box, not an API.</summary>
    public string? OutcomeValue => LoginEventQuery.IsKnownOutcome(Outcome) ? Outcome : null;

    public string? PersonValue => string.IsNullOrWhiteSpace(Person) ? null : Person.Trim() is { Length: <= MaxPersonLength } p ? p : null;
}

/// <summary>A login event with the member it signed in (when it did), as the administration pages show it.</summary>
public sealed record SignInLogEntry(LoginEventEntry Event, string? MemberEmail, string? MemberFirstName, string? MemberLastName, string? MemberRole)
{
    public string? Hint => Event.ErrorCode is { } code ? LoginErrorHints.HintFor(code) : null;

    public LoginErrorSide? SideToFix => Event.ErrorCode is { } code ? LoginErrorHints.SideOf(code) : null;
}

/// <summary>Reads a tenant's sign-in log for its administration pages.</summary>
public interface ISignInLogReader
{
    /// <summary>Newest first; <paramref name="person"/> matches a part of the name ID or the member's e-mail, any case.</summary>
    Task<IReadOnlyList<SignInLogEntry>> ListAsync(Guid tenantId, string? outcome, string? person, int limit, CancellationToken cancellationToken);

    Task<SignInLogEntry?> FindAsync(Guid tenantId, Guid eventId, CancellationToken cancellationToken);

    /// <summary>The first event of the tenant at or after <paramref name="since"/> from this user agent: a test sign-in's result.</summary>
    Task<SignInLogEntry?> FindFirstSinceAsync(Guid tenantId, DateTimeOffset since, string? userAgent, CancellationToken cancellationToken);
}

/// <summary>The sign-in log of the administration pages: always one tenant's, filtered as the administrator asked.</summary>
public sealed class SignInLog(ISignInLogReader reader)
{
    public Task<IReadOnlyList<SignInLogEntry>> ListAsync(Guid tenantId, SignInLogFilter filter, CancellationToken cancellationToken) =>
        reader.ListAsync(tenantId, filter.OutcomeValue, filter.PersonValue, SignInLogFilter.Limit, cancellationToken);

    public Task<SignInLogEntry?> FindAsync(Guid tenantId, Guid eventId, CancellationToken cancellationToken) =>
        reader.FindAsync(tenantId, eventId, cancellationToken);

    /// <summary>What a test sign-in started at <paramref name="startedAt"/> in this browser came to; null while nothing is recorded.</summary>
    public Task<SignInLogEntry?> TestResultAsync(Guid tenantId, DateTimeOffset startedAt, string? userAgent, CancellationToken cancellationToken) =>
        reader.FindFirstSinceAsync(tenantId, startedAt, userAgent, cancellationToken);
}
