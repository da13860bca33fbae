"""The kernels that run reports: shut down without an interrupt, so a good run prints no
kernel "ERROR | KeyboardInterrupt caught in kernel" line."""

from __future__ import annotations

import asyncio
import signal

from metroanalysis.run.kernels import local_kernel_manager


def test_a_kernel_is_shut_down_without_an_interrupt(capfd):
    km = local_kernel_manager()(kernel_name="python3")
    sent: list[int] = []
    real = km._async_signal_kernel

    async def record(signum):
        sent.append(signum)
        await real(signum)

    km._async_signal_kernel = record

    async def start_ask_and_stop():
        await km.start_kernel()
        client = km.client()
        client.start_channels()
        await client.wait_for_ready(timeout=60)
        client.kernel_info()  # as papermill does last, then shuts down at once
        await km.shutdown_kernel()
        client.stop_channels()

    asyncio.run(start_ask_and_stop())
    assert signal.SIGINT not in sent
    assert not km.has_kernel or not asyncio.run(km.is_alive())
    assert "KeyboardInterrupt" not in capfd.readouterr().err
