using Acs.Core.Login;
using Acs.Core.Members;
using Acs.Core.Provisioning;
using Acs.Data.Members;
using Dapper;
using Npgsql;

namespace Acs.Data.Login;

/// <summary>Writes a sign-in in one transaction: consumed assertion, member, session and login event, or nothing.</summary>
public sealed class LoginStore(NpgsqlDataSource dataSource) : ILoginStore
{
    // The primary key (tenant_id, assertion_id) makes the second of two identical posts wait, then find the row.
    private const string ConsumeSql = """
        INSERT INTO consumed_assertions (tenant_id, assertion_id, consumed_at, expires_at)
        VALUES (@TenantId, @AssertionId, @Now, @ExpiresAt)
        ON CONFLICT (tenant_id, assertion_id) DO NOTHING
        """;

    // Single use: the first response answering a request consumes it.
    private const string ConsumeRequestSql = """
        DELETE FROM authn_requests
        WHERE tenant_id = @TenantId AND request_id = @RequestId AND expires_at > @Now
        RETURNING return_to
        """;

    // Serialises concurrent first sign-ins of one person so exactly one member is created.
    private const string LockSubjectSql = """
        SELECT pg_advisory_xact_lock(hashtextextended(@TenantId::text || '|' || @Subject, 0))
        """;

    private const string FindBySubjectSql = $"""
        SELECT {MemberRow.Columns} FROM members WHERE tenant_id = @TenantId AND idp_subject = @Subject FOR UPDATE
        """;

    private const string FindByEmailSql = $"""
        SELECT {MemberRow.Columns} FROM members WHERE tenant_id = @TenantId AND lower(email) = lower(@Email) FOR UPDATE
        """;

    private const string CreateSql = $"""
        INSERT INTO members (id, tenant_id, email, first_name, last_name, role, status, created_via, idp_subject,
                             created_at, updated_at, last_login_at)
        VALUES (@Id, @TenantId, @Email, @FirstName, @LastName, @Role, 'active', 'jit', @Subject, @Now, @Now, @Now)
        RETURNING {MemberRow.Columns}
        """;

    private const string UpdateSql = $"""
        UPDATE members
        SET email = @Email, first_name = @FirstName, last_name = @LastName, idp_subject = @Subject,
            updated_at = @Now, last_login_at = @Now
        WHERE tenant_id = @TenantId AND id = @MemberId
        RETURNING {MemberRow.Columns}
        """;

    private const string OpenSessionSql = """
        INSERT INTO sessions (token_hash, tenant_id, member_id, created_at, expires_at)
        VALUES (@TokenHash, @TenantId, @MemberId, @Now, @ExpiresAt)
        """;

    private const string InsertEventSql = """
        INSERT INTO login_events (id, tenant_id, occurred_at, outcome, error_code, message, expected, received,
                                  assertion_id, name_id, member_id, client_address, user_agent)
        VALUES (@Id, @TenantId, @OccurredAt, @Outcome, @ErrorCode, @Message, @Expected, @Received,
                @AssertionId, @NameId, @MemberId, @ClientAddress, @UserAgent)
        """;

    public async Task<LoginCommitResult> CommitAsync(LoginCommit commit, Func<Member?, Member?, ProvisioningDecision> decide,
        CancellationToken cancellationToken)
    {
        var now = commit.SuccessEvent.OccurredAt;
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var identity = commit.Identity;

        var consumed = await connection.ExecuteAsync(new CommandDefinition(ConsumeSql,
            new { commit.TenantId, commit.AssertionId, Now = now, ExpiresAt = commit.AssertionExpiresAt }, transaction,
            cancellationToken: cancellationToken));
        if (consumed == 0)
        {
            await transaction.RollbackAsync(cancellationToken);
            return new LoginCommitResult.Replayed();
        }

        string? returnTo = null;
        if (commit.InResponseTo is not null)
        {
            returnTo = await connection.QuerySingleOrDefaultAsync<string>(new CommandDefinition(ConsumeRequestSql,
                new { commit.TenantId, RequestId = commit.InResponseTo, Now = now }, transaction, cancellationToken: cancellationToken));
            if (returnTo is null)
            {
                await transaction.RollbackAsync(cancellationToken);
                return new LoginCommitResult.Denied(Acs.Core.Saml.SamlErrorCodes.InResponseToUnexpected,
                    $"The response answers request {commit.InResponseTo}, which is unknown, expired or already used.");
            }
        }

        await connection.ExecuteAsync(new CommandDefinition(LockSubjectSql, new { commit.TenantId, identity.Subject }, transaction,
            cancellationToken: cancellationToken));
        var bySubject = await connection.QuerySingleOrDefaultAsync<MemberRow>(new CommandDefinition(FindBySubjectSql,
            new { commit.TenantId, identity.Subject }, transaction, cancellationToken: cancellationToken));
        var byEmail = identity.Email is null
            ? null
            : await connection.QuerySingleOrDefaultAsync<MemberRow>(new CommandDefinition(FindByEmailSql,
                new { commit.TenantId, identity.Email }, transaction, cancellationToken: cancellationToken));

        var decision = decide(bySubject?.ToMember(), byEmail?.ToMember());
        MemberRow member;
        try
        {
            switch (decision)
            {
                case ProvisioningDecision.Create create:
                    member = await connection.QuerySingleAsync<MemberRow>(new CommandDefinition(CreateSql,
                        new { Id = Guid.NewGuid(), commit.TenantId, create.Email, create.FirstName, create.LastName, create.Role, create.Subject, Now = now },
                        transaction, cancellationToken: cancellationToken));
                    break;
                case ProvisioningDecision.Update update:
                    member = await connection.QuerySingleAsync<MemberRow>(new CommandDefinition(UpdateSql,
                        new { commit.TenantId, update.MemberId, update.Email, update.FirstName, update.LastName, update.Subject, Now = now },
                        transaction, cancellationToken: cancellationToken));
                    break;
                case ProvisioningDecision.Deny deny:
                    await transaction.RollbackAsync(cancellationToken);
                    return new LoginCommitResult.Denied(deny.Code, deny.Message);
                default:
                    throw new InvalidOperationException($"unknown provisioning decision {decision}");
            }
        }
        catch (PostgresException ex) when (ex.SqlState == PostgresErrorCodes.UniqueViolation)
        {
            // The refreshed e-mail belongs to another member of the tenant.
            await transaction.RollbackAsync(cancellationToken);
            return new LoginCommitResult.Denied(LoginErrorCodes.MemberEmailConflict,
                $"{identity.Email} already belongs to another member of this site ({ex.ConstraintName}).");
        }

        await connection.ExecuteAsync(new CommandDefinition(OpenSessionSql,
            new { TokenHash = commit.SessionTokenHash, commit.TenantId, MemberId = member.Id, Now = now, ExpiresAt = commit.SessionExpiresAt },
            transaction, cancellationToken: cancellationToken));
        await connection.ExecuteAsync(new CommandDefinition(InsertEventSql, Storable(commit.SuccessEvent with { MemberId = member.Id }), transaction,
            cancellationToken: cancellationToken));
        await transaction.CommitAsync(cancellationToken);
        return new LoginCommitResult.Committed(member.ToMember(), returnTo);
    }

    public async Task RecordAsync(LoginEvent loginEvent, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await connection.ExecuteAsync(new CommandDefinition(InsertEventSql, Storable(loginEvent), cancellationToken: cancellationToken));
    }

    /// <summary>Event texts quote untrusted input; see <see cref="PostgresText"/>.</summary>
    private static LoginEvent Storable(LoginEvent e) => e with
    {
        Message = PostgresText.Storable(e.Message),
        Expected = PostgresText.Storable(e.Expected),
        Received = PostgresText.Storable(e.Received),
        AssertionId = PostgresText.Storable(e.AssertionId),
        NameId = PostgresText.Storable(e.NameId),
        ClientAddress = PostgresText.Storable(e.ClientAddress),
        UserAgent = PostgresText.Storable(e.UserAgent),
    };
}
