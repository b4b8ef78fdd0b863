import ArgumentParser
import MaestroDomain

extension SessionStatus: ExpressibleByArgument {}
extension TaskStatus: ExpressibleByArgument {}
extension TaskPriority: ExpressibleByArgument {}
