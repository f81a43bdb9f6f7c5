# The kernels of the course's environments (binder/postBuild copies this file into
# <environment>/etc/ipython/). The kernels that build and test the book talk to their
# client over TCP on this machine's loopback; ipykernel warns about it at every start,
# ten times a build, in a log that should show only what concerns the reader's change.
# Only that one message is dropped.
import logging


class DropLoopbackTransportWarning(logging.Filter):
    def filter(self, record):
        return "Kernel is running over TCP without encryption" not in record.getMessage()


logging.getLogger("IPKernelApp").addFilter(DropLoopbackTransportWarning())
