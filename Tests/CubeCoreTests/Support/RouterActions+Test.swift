import CubeCore

/// The text of everything `actions` send to session `id`, in order.
func sent(to id: SessionID, _ actions: [RouterAction]) -> String {
    actions.reduce(into: "") { text, action in
        if case .send(id, let bytes) = action { text += String(decoding: bytes, as: UTF8.self) }
    }
}
