using Acs.Core.Members;
using Acs.Core.Sessions;

namespace Acs.Core.Manage;

public enum ManageAccessKind
{
    /// <summary>Neither a setup session nor a signed-in member: sign in first.</summary>
    Anonymous,
    /// <summary>Signed in, but not as a Client Administrator.</summary>
    Forbidden,
    SetupSession,
    ClientAdministrator,
}

/// <summary>Who is at the administration pages, and until when their access lasts.</summary>
public sealed record ManageAccess(ManageAccessKind Kind, DateTimeOffset? EndsAt = null, Member? Member = null)
{
    public bool Allowed => Kind is ManageAccessKind.SetupSession or ManageAccessKind.ClientAdministrator;

    /// <summary>
    /// A setup session wins over a member session: the operator's link was opened on purpose in this browser, and a
    /// test sign-in during setup must not take the administrator out of the pages.
    /// </summary>
    public static ManageAccess Decide(SetupSession? setup, SessionMember? session) =>
        setup is not null ? new ManageAccess(ManageAccessKind.SetupSession, setup.ExpiresAt)
        : session is null ? new ManageAccess(ManageAccessKind.Anonymous)
        : session.Member.Role == MemberRoles.ClientAdministrator && session.Member.Status == MemberStatuses.Active
            ? new ManageAccess(ManageAccessKind.ClientAdministrator, session.ExpiresAt, session.Member)
            : new ManageAccess(ManageAccessKind.Forbidden, session.ExpiresAt, session.Member);
}
