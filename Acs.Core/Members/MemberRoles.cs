namespace Acs.Core.Members;

public static class MemberRoles
{
    public const string ClientAdministrator = "client_administrator";
    public const string TeamMember = "team_member";

    public static IReadOnlyList<string> All { get; } = [ClientAdministrator, TeamMember];

    public static bool IsKnown(string? role) => role is ClientAdministrator or TeamMember;

    /// <summary>The label the product shows, e.g. "Client Administrator".</summary>
    public static string DisplayName(string role) => role switch
    {
        ClientAdministrator => "Client Administrator",
        TeamMember => "Team Member",
        _ => role,
    };
}
