import ArgumentParser
import MaestroServer
print("x")
