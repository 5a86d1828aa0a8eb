import Foundation
import Logging
import OpenAPIRuntime
import Stockline
import StocklineAPI
import StocklineCore

extension APIImplementation {
    func listWebhooks(_ input: Operations.ListWebhooks.Input) async throws -> Operations.ListWebhooks.Output {
        try authorize(.manageWebhooks)
        return .ok(.init(body: .json(try await inventory.webhooks().map { Self.schema($0, secret: nil) })))
    }

    func createWebhook(_ input: Operations.CreateWebhook.Input) async throws -> Operations.CreateWebhook.Output {
        try authorize(.manageWebhooks)
        guard case .json(let new) = input.body else {
            throw Problem(status: 415, code: "validation_failed", detail: "send application/json")
        }
        let secret: String
        if let given = new.secret {
            guard let normalized = WebhookSignature.normalized(given) else {
                throw StockError.validationFailed(
                    field: "secret", reason: "must be 'whsec_' and base64 of 24 to 64 bytes")
            }
            secret = normalized
        } else {
            secret = WebhookSignature.newSecret()
        }
        let subscription = try await inventory.addWebhook(
            NewWebhookSubscription(
                url: new.url, secret: secret, eventTypes: new.eventTypes.map(Set.init),
                warehouses: new.warehouses.map(Set.init),
                active: new.active ?? true, after: new.after.map(Int64.init), createdAt: inventory.environment.now()))
        logger.info("webhook subscription created", metadata: ["webhook": "\(subscription.id)", "url": "\(new.url)"])
        return .created(.init(body: .json(Self.schema(subscription, secret: new.secret == nil ? secret : nil))))
    }

    func deleteWebhook(_ input: Operations.DeleteWebhook.Input) async throws -> Operations.DeleteWebhook.Output {
        try authorize(.manageWebhooks)
        guard try await inventory.removeWebhook(id: Int64(input.path.id)) else {
            throw Problem.notFound("no webhook subscription \(input.path.id)")
        }
        return .noContent(.init())
    }

    func listWebhookDeadLetters(_ input: Operations.ListWebhookDeadLetters.Input) async throws
        -> Operations.ListWebhookDeadLetters.Output
    {
        try authorize(.manageWebhooks)
        let letters = try await inventory.deadLetters(subscription: input.query.webhook.map(Int64.init))
        return .ok(.init(body: .json(letters.map(Self.schema))))
    }

    func replayWebhookDeadLetter(_ input: Operations.ReplayWebhookDeadLetter.Input) async throws
        -> Operations.ReplayWebhookDeadLetter.Output
    {
        try authorize(.manageWebhooks)
        let dispatcher = WebhookDispatcher(inventory: inventory, logger: logger)
        guard let replay = try await dispatcher.replay(deadLetter: Int64(input.path.id)) else {
            throw Problem.notFound("no dead letter \(input.path.id)")
        }
        return .ok(
            .init(
                body: .json(
                    .init(
                        delivered: replay.delivered, status: replay.status, error: replay.error,
                        deadLetter: replay.deadLetter.map(Self.schema)))))
    }

    static func schema(_ subscription: WebhookSubscription, secret: String?) -> Components.Schemas.Webhook {
        .init(
            id: Int(subscription.id), url: subscription.url, eventTypes: subscription.eventTypes.map { $0.sorted() },
            warehouses: subscription.warehouses.map { $0.sorted() }, active: subscription.active,
            lastSequence: Int(subscription.lastSequence), createdAt: subscription.createdAt.iso8601, secret: secret)
    }

    static func schema(_ letter: WebhookDeadLetter) -> Components.Schemas.WebhookDeadLetter {
        .init(
            id: Int(letter.id), webhook: Int(letter.subscriptionID), sequence: Int(letter.sequence),
            _type: letter.eventType, attempts: letter.attempts, lastError: letter.lastError,
            parkedAt: letter.parkedAt.iso8601, body: letter.body)
    }
}
