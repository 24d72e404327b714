using Acs.Api.Pages;
using Acs.Api.Tenants;
using Acs.Core.Administration;
using Acs.Core.Members;
using FluentValidation;

namespace Acs.Api.Manage;

/// <summary>The Team Members tab: who may sign in, with which role; add, disable, enable, remove.</summary>
public static partial class ManageEndpoints
{
    private static void MapMembersTab(RouteGroupBuilder pages)
    {
        pages.MapGet("/members", ShowMembers);
        pages.MapPost("/members", CreateMember).RequireAntiforgeryToken();
        pages.MapPost("/members/{id:guid}/status", ChangeMemberStatus).RequireAntiforgeryToken();
        pages.MapPost("/members/{id:guid}/role", ChangeMemberRole).RequireAntiforgeryToken();
        pages.MapPost("/members/{id:guid}/remove", RemoveMember).RequireAntiforgeryToken();
    }

    internal static async Task<IResult> ShowMembers(HttpContext http, string? done, MemberAdministration members, CancellationToken cancellationToken) =>
        await MembersPageAsync(http, http.GetTenantSite(), new NewMemberRequest(null, null, null, MemberRoles.TeamMember),
            new Dictionary<string, string>(), MemberDoneMessage(done), members, StatusCodes.Status200OK, cancellationToken);

    internal static async Task<IResult> CreateMember(HttpContext http, MemberAdministration members, IValidator<NewMemberRequest> validator,
        CancellationToken cancellationToken)
    {
        var site = http.GetTenantSite();
        if (await ReadFormAsync(http) is not { } form)
        {
            return ManagePages.BadForm(http, site);
        }

        var request = new NewMemberRequest(Field(form, "email")?.Trim(), Field(form, "firstName"), Field(form, "lastName"), Field(form, "role"));
        var errors = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var failure in (await validator.ValidateAsync(request, cancellationToken)).Errors)
        {
            errors.TryAdd(FormField(failure.PropertyName), failure.ErrorMessage);
        }

        var status = StatusCodes.Status400BadRequest;
        if (errors.Count == 0)
        {
            var created = await members.CreateAsync(site.Subdomain, request, cancellationToken);
            if (created.Error is null)
            {
                return new SeeOther(MembersPath + "?done=created");
            }

            errors[created.Error.Field ?? "email"] = created.Error.Message;
            status = created.Error.Kind == AdminErrorKind.Conflict ? StatusCodes.Status409Conflict : status;
        }

        return await MembersPageAsync(http, site, request, errors, null, members, status, cancellationToken);
    }

    internal static async Task<IResult> ChangeMemberStatus(Guid id, HttpContext http, MemberAdministration members, CancellationToken cancellationToken)
    {
        var site = http.GetTenantSite();
        var status = await ReadFormAsync(http) is { } form ? Field(form, "status") : null;
        if (!MemberRules.IsKnownStatus(status))
        {
            return ManagePages.BadForm(http, site);
        }

        var changed = await members.ChangeAsync(site.Subdomain, id, new MemberChangeRequest(null, status), cancellationToken);
        return changed.Error is null
            ? new SeeOther(MembersPath + (status == MemberStatuses.Disabled ? "?done=disabled" : "?done=enabled"))
            : ManagePages.NotFound(http, site, "team member");
    }

    internal static async Task<IResult> ChangeMemberRole(Guid id, HttpContext http, MemberAdministration members, CancellationToken cancellationToken)
    {
        var site = http.GetTenantSite();
        if (await ReadFormAsync(http) is not { } form || Field(form, "role") is not { } role || !MemberRoles.IsKnown(role))
        {
            return ManagePages.BadForm(http, site);
        }

        var changed = await members.ChangeAsync(site.Subdomain, id, new MemberChangeRequest(role, null), cancellationToken);
        return changed.Error is null ? new SeeOther(MembersPath + "?done=role") : ManagePages.NotFound(http, site, "team member");
    }

    internal static async Task<IResult> RemoveMember(Guid id, HttpContext http, MemberAdministration members, CancellationToken cancellationToken)
    {
        var site = http.GetTenantSite();
        return await members.DeleteAsync(site.Subdomain, id, cancellationToken) is null
            ? new SeeOther(MembersPath + "?done=removed")
            : ManagePages.NotFound(http, site, "team member");
    }

    private static async Task<IResult> MembersPageAsync(HttpContext http, TenantSite site, NewMemberRequest form,
        IReadOnlyDictionary<string, string> errors, string? done, MemberAdministration members, int status, CancellationToken cancellationToken)
    {
        var list = await members.ListAsync(site.Subdomain, new MemberQuery(null, "0", PagingRequest.MaxLimit.ToString(System.Globalization.CultureInfo.InvariantCulture)),
            cancellationToken);
        var page = list.Value!;
        var model = new MembersTabModel(page.Items, page.Total, form, errors, done, http.GetManageAccess().Member?.Id);
        return PageResults.Page<MembersTab>(http, new { Context = Context(http, ManageTabs.Members), Model = model }, status);
    }

    private static string? MemberDoneMessage(string? done) => done switch
    {
        "created" => "Account created. The team member signs in with single sign-on; their e-mail address links them.",
        "disabled" => "Team member disabled; their sessions have ended.",
        "enabled" => "Team member enabled.",
        "role" => "Role changed.",
        "removed" => "Team member removed; their sessions have ended.",
        _ => null,
    };
}

/// <param name="CurrentMemberId">The signed-in administrator (null in a setup session): shown as "you".</param>
public sealed record MembersTabModel(
    IReadOnlyList<Member> Members,
    long Total,
    NewMemberRequest Form,
    IReadOnlyDictionary<string, string> Errors,
    string? Done,
    Guid? CurrentMemberId);
