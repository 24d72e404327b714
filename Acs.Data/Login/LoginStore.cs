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
    // Three round trips per sign-in: [BEGIN + consume, consume request, lock, find by subject, find by e-mail], then
    // [create or update, session, event], then COMMIT. The statements and their order are the same as one at a
    // time; batching only stops each one waiting for the previous answer. Positional parameters: batch commands.

    // The primary key (tenant_id, assertion_id) makes the second of two identical posts wait, then find the row.
    private const string ConsumeSql = """
        INSERT INTO consumed_assertions (tenant_id, assertion_id, consumed_at, expires_at)
        VALUES ($1, $2, $3, $4)
        ON CONFLICT (tenant_id, assertion_id) DO NOTHING
        RETURNING true
        """;

    // Single use: the first response answering an SP-initiated request consumes it.
    private const string ConsumeRequestSql = """
        DELETE FROM authn_requests
        WHERE tenant_id = $1 AND request_id = $2 AND expires_at > $3
        RETURNING return_to
        """;

    // Serialises concurrent first sign-ins of one person so exactly one member is created. Runs after the consume
    // statement in the same batch, so a replayed assertion is already refused when the members are read.
    private const string LockSubjectSql = """
        SELECT pg_advisory_xact_lock(hashtextextended($1::text || '|' || $2, 0))
        """;

    private const string FindBySubjectSql = $"""
        SELECT {MemberRow.Columns} FROM members WHERE tenant_id = $1 AND idp_subject = $2 FOR UPDATE
        """;

    private const string FindByEmailSql = $"""
        SELECT {MemberRow.Columns} FROM members WHERE tenant_id = $1 AND lower(email) = lower($2) FOR UPDATE
        """;

    private const string CreateSql = $"""
        INSERT INTO members (id, tenant_id, email, first_name, last_name, role, status, created_via, idp_subject,
                             created_at, updated_at, last_login_at)
        VALUES ($1, $2, $3, $4, $5, $6, 'active', 'jit', $7, $8, $8, $8)
        RETURNING {MemberRow.Columns}
        """;

    private const string UpdateSql = $"""
        UPDATE members
        SET email = $3, first_name = $4, last_name = $5, idp_subject = $6, updated_at = $7, last_login_at = $7
        WHERE tenant_id = $2 AND id = $1
        RETURNING {MemberRow.Columns}
        """;

    private const string OpenSessionSql = """
        INSERT INTO sessions (token_hash, tenant_id, member_id, created_at, expires_at)
        VALUES ($1, $2, $3, $4, $5)
        """;

    private const string InsertEventSql = """
        INSERT INTO login_events (id, tenant_id, occurred_at, outcome, error_code, message, expected, received,
                                  assertion_id, name_id, member_id, client_address, user_agent,
                                  diagnosis_cause, diagnosis_fix, diagnosis_advice)
        VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)
        """;

    public async Task<LoginCommitResult> CommitAsync(LoginCommit commit, Func<Member?, Member?, ProvisioningDecision> decide,
        CancellationToken cancellationToken)
    {
        var now = commit.SuccessEvent.OccurredAt;
        var identity = commit.Identity;
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);

        MemberRow? bySubject;
        MemberRow? byEmail = null;
        string? returnTo = null;
        await using (var read = new NpgsqlBatch(connection, transaction))
        {
            Add(read, ConsumeSql, commit.TenantId, commit.AssertionId, now, commit.AssertionRememberedUntil);
            if (commit.InResponseTo is not null)
            {
                Add(read, ConsumeRequestSql, commit.TenantId, commit.InResponseTo, now);
            }

            Add(read, LockSubjectSql, commit.TenantId, identity.Subject);
            Add(read, FindBySubjectSql, commit.TenantId, identity.Subject);
            if (identity.Email is not null)
            {
                Add(read, FindByEmailSql, commit.TenantId, identity.Email);
            }

            // Every statement of this batch returns rows, so result sets map one to one onto statements.
            await using var reader = await read.ExecuteReaderAsync(cancellationToken);
            var consumed = await reader.ReadAsync(cancellationToken);
            if (commit.InResponseTo is not null)
            {
                await reader.NextResultAsync(cancellationToken);
                returnTo = await reader.ReadAsync(cancellationToken) ? reader.GetString(0) : null;
            }

            await reader.NextResultAsync(cancellationToken); // the lock's single row
            await reader.NextResultAsync(cancellationToken);
            bySubject = await ReadMemberAsync(reader, cancellationToken);
            if (identity.Email is not null)
            {
                await reader.NextResultAsync(cancellationToken);
                byEmail = await ReadMemberAsync(reader, cancellationToken);
            }

            await reader.DisposeAsync();
            if (!consumed)
            {
                await transaction.RollbackAsync(cancellationToken);
                return new LoginCommitResult.Replayed();
            }

            if (commit.InResponseTo is not null && returnTo is null)
            {
                await transaction.RollbackAsync(cancellationToken);
                return new LoginCommitResult.RequestNotOutstanding();
            }
        }

        var decision = decide(bySubject?.ToMember(), byEmail?.ToMember());
        MemberRow member;
        try
        {
            await using var write = new NpgsqlBatch(connection, transaction);
            Guid memberId;
            switch (decision)
            {
                case ProvisioningDecision.Create create:
                    memberId = Guid.NewGuid();
                    Add(write, CreateSql, memberId, commit.TenantId, create.Email, create.FirstName, create.LastName, create.Role, create.Subject, now);
                    break;
                case ProvisioningDecision.Update update:
                    memberId = update.MemberId;
                    Add(write, UpdateSql, memberId, commit.TenantId, update.Email, update.FirstName, update.LastName, update.Subject, now);
                    break;
                case ProvisioningDecision.Deny deny:
                    await transaction.RollbackAsync(cancellationToken);
                    return new LoginCommitResult.Denied(deny.Code, deny.Message);
                default:
                    throw new InvalidOperationException($"unknown provisioning decision {decision}");
            }

            Add(write, OpenSessionSql, commit.SessionTokenHash, commit.TenantId, memberId, now, commit.SessionExpiresAt);
            AddEvent(write, commit.SuccessEvent with { MemberId = memberId });
            await using var reader = await write.ExecuteReaderAsync(cancellationToken);
            member = await ReadMemberAsync(reader, cancellationToken)
                ?? throw new InvalidOperationException($"member {memberId} vanished while signing in");
            while (await reader.NextResultAsync(cancellationToken))
            {
                // Drain: an error in a later statement surfaces here, before the commit.
            }
        }
        catch (PostgresException ex) when (ex.SqlState == PostgresErrorCodes.UniqueViolation && ex.TableName == "members")
        {
            // The refreshed e-mail belongs to another member of the tenant. (The batch also holds the session and
            // event inserts; a conflict there is not this, and propagates as before.)
            await transaction.RollbackAsync(cancellationToken);
            return new LoginCommitResult.EmailTaken(ex.ConstraintName);
        }

        await transaction.CommitAsync(cancellationToken);
        return new LoginCommitResult.Committed(member.ToMember(), returnTo);
    }

    public async Task RecordAsync(LoginEvent loginEvent, CancellationToken cancellationToken)
    {
        await using var batch = dataSource.CreateBatch();
        AddEvent(batch, loginEvent);
        await batch.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>Event texts quote untrusted input; see <see cref="PostgresText"/>.</summary>
    private static void AddEvent(NpgsqlBatch batch, LoginEvent e) =>
        Add(batch, InsertEventSql, e.Id, e.TenantId, e.OccurredAt, e.Outcome, e.ErrorCode, PostgresText.Storable(e.Message),
            PostgresText.Storable(e.Expected), PostgresText.Storable(e.Received), PostgresText.Storable(e.AssertionId),
            PostgresText.Storable(e.NameId), e.MemberId, PostgresText.Storable(e.ClientAddress), PostgresText.Storable(e.UserAgent),
            e.Diagnosis?.Cause, e.Diagnosis?.Fix, PostgresText.Storable(e.Diagnosis?.Advice));

    private static void Add(NpgsqlBatch batch, string sql, params object?[] values)
    {
        var command = new NpgsqlBatchCommand(sql);
        foreach (var value in values)
        {
            command.Parameters.Add(new NpgsqlParameter { Value = value ?? DBNull.Value });
        }

        batch.BatchCommands.Add(command);
    }

    private static async Task<MemberRow?> ReadMemberAsync(NpgsqlDataReader reader, CancellationToken cancellationToken)
    {
        var parse = reader.GetRowParser<MemberRow>();
        MemberRow? row = null;
        while (await reader.ReadAsync(cancellationToken))
        {
            row = parse(reader);
        }

        return row;
    }
}
