using Acs.Core.Login;
using Acs.Core.Members;
using Acs.Core.Provisioning;
using Acs.Data.Members;
using Dapper;
using Npgsql;

namespace Acs.Data.Login;

/// <summary>
/// Sign-ins in one transaction each, in two round trips: [BEGIN, consume the assertion, consume the request, lock the
/// subject, find the members] returns the facts; then either [write the member, the session, the event, COMMIT] or
/// [ROLLBACK, write the refusal's event]. BEGIN and COMMIT travel inside the batches instead of costing round trips
/// of their own. Positional parameters: batch commands.
/// </summary>
public sealed class LoginStore(NpgsqlDataSource dataSource) : ILoginStore
{
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

    // Serialises concurrent first sign-ins of one person so exactly one member is created. A statement of its own,
    // before the read: the read's snapshot must be taken after the lock is held to see a member created meanwhile.
    private const string LockSubjectSql = """
        SELECT pg_advisory_xact_lock(hashtextextended($1::text || '|' || $2, 0))
        """;

    // The member linked to the subject and the one with the e-mail (often the same row), locked against admin changes.
    private const string FindMembersSql = $"""
        SELECT {MemberRow.Columns}, idp_subject = $2 AS by_subject, lower(email) = lower($3::text) AS by_email
        FROM members
        WHERE tenant_id = $1 AND (idp_subject = $2 OR lower(email) = lower($3::text))
        FOR UPDATE
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

    public async Task<ISignInTransaction> BeginAsync(SignInStart start, CancellationToken cancellationToken)
    {
        var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        try
        {
            await using var batch = new NpgsqlBatch(connection);
            Add(batch, "BEGIN");
            Add(batch, ConsumeSql, start.TenantId, start.AssertionId, start.Now, start.AssertionRememberedUntil);
            if (start.InResponseTo is not null)
            {
                Add(batch, ConsumeRequestSql, start.TenantId, start.InResponseTo, start.Now);
            }

            Add(batch, LockSubjectSql, start.TenantId, start.Subject);
            Add(batch, FindMembersSql, start.TenantId, start.Subject, start.Email);

            await using var reader = await batch.ExecuteReaderAsync(cancellationToken);
            // BEGIN returns no result set; every other statement returns one, in order.
            var consumed = await reader.ReadAsync(cancellationToken);
            string? returnTo = null;
            if (start.InResponseTo is not null)
            {
                await reader.NextResultAsync(cancellationToken);
                returnTo = await reader.ReadAsync(cancellationToken) ? reader.GetString(0) : null;
            }

            await reader.NextResultAsync(cancellationToken); // the lock's single row
            await reader.NextResultAsync(cancellationToken);
            Member? bySubject = null, byEmail = null;
            var parse = reader.GetRowParser<MemberRow>();
            var bySubjectOrdinal = reader.GetOrdinal("by_subject");
            var byEmailOrdinal = reader.GetOrdinal("by_email");
            while (await reader.ReadAsync(cancellationToken))
            {
                var member = parse(reader).ToMember();
                if (reader.GetFieldValue<bool?>(bySubjectOrdinal) == true)
                {
                    bySubject = member;
                }

                if (reader.GetFieldValue<bool?>(byEmailOrdinal) == true)
                {
                    byEmail = member;
                }
            }

            var facts = new SignInFacts(!consumed, returnTo is not null, returnTo, bySubject, byEmail);
            return new SignInTransaction(connection, facts, start.TenantId, start.Now);
        }
        catch
        {
            await RollBackQuietlyAsync(connection);
            await connection.DisposeAsync();
            throw;
        }
    }

    public async Task RecordAsync(LoginEvent loginEvent, CancellationToken cancellationToken)
    {
        await using var batch = dataSource.CreateBatch();
        AddEvent(batch, loginEvent);
        await batch.ExecuteNonQueryAsync(cancellationToken);
    }

    private sealed class SignInTransaction(NpgsqlConnection connection, SignInFacts facts, Guid tenantId, DateTimeOffset now)
        : ISignInTransaction
    {
        private bool _finished;

        public SignInFacts Facts => facts;

        public async Task<SignInCommitResult> CommitAsync(SignInWrites writes, CancellationToken cancellationToken)
        {
            await using var batch = new NpgsqlBatch(connection);
            Guid memberId;
            switch (writes.Member)
            {
                case ProvisioningDecision.Create create:
                    memberId = Guid.NewGuid();
                    Add(batch, CreateSql, memberId, tenantId, create.Email, create.FirstName, create.LastName, create.Role, create.Subject, now);
                    break;
                case ProvisioningDecision.Update update:
                    memberId = update.MemberId;
                    Add(batch, UpdateSql, memberId, tenantId, update.Email, update.FirstName, update.LastName, update.Subject, now);
                    break;
                default:
                    throw new ArgumentException($"A sign-in writes a created or updated member, not {writes.Member}.", nameof(writes));
            }

            Add(batch, OpenSessionSql, writes.SessionTokenHash, tenantId, memberId, now, writes.SessionExpiresAt);
            AddEvent(batch, writes.SuccessEvent with { MemberId = memberId });
            Add(batch, "COMMIT");
            try
            {
                await using var reader = await batch.ExecuteReaderAsync(cancellationToken);
                var member = await ReadMemberAsync(reader, cancellationToken)
                    ?? throw new InvalidOperationException($"member {memberId} vanished while signing in");
                while (await reader.NextResultAsync(cancellationToken))
                {
                    // Drain: an error in a later statement (or the COMMIT) surfaces here.
                }

                _finished = true;
                return new SignInCommitResult.Committed(member.ToMember());
            }
            catch (PostgresException ex) when (ex.SqlState == PostgresErrorCodes.UniqueViolation && ex.TableName == "members")
            {
                // The refreshed e-mail belongs to another member of the tenant. The transaction is aborted; the refusal
                // rolls it back. (A conflict in the session or event insert is not this, and propagates.)
                return new SignInCommitResult.EmailTaken(ex.ConstraintName);
            }
        }

        public async Task RefuseAsync(LoginEvent failureEvent, CancellationToken cancellationToken)
        {
            await using var batch = new NpgsqlBatch(connection);
            Add(batch, "ROLLBACK");
            AddEvent(batch, failureEvent);
            await batch.ExecuteNonQueryAsync(cancellationToken);
            _finished = true;
        }

        public async ValueTask DisposeAsync()
        {
            if (!_finished)
            {
                await RollBackQuietlyAsync(connection);
            }

            await connection.DisposeAsync();
        }
    }

    /// <summary>Ends an unfinished transaction (a failure or cancellation midway) before the connection goes back to the pool.</summary>
    private static async Task RollBackQuietlyAsync(NpgsqlConnection connection)
    {
        if (connection.FullState != System.Data.ConnectionState.Open)
        {
            return; // broken: the server rolled back, and the pool discards the connection
        }

        try
        {
            await using var rollback = new NpgsqlCommand("ROLLBACK", connection);
            await rollback.ExecuteNonQueryAsync(CancellationToken.None);
        }
        catch (Exception ex) when (ex is NpgsqlException or InvalidOperationException)
        {
            // Same: nothing was committed, and a broken connection is not reused.
        }
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
