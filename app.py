"""SageMaker Test inference, in a local browser: `streamlit run app.py`.

Draws what every page shares (page config, the connection sidebar), then runs the page chosen in the
navigation.
"""

from __future__ import annotations

import streamlit as st

from components import connection_sidebar, page_memory, service_cache

st.set_page_config(
    page_title="SageMaker Test inference",
    # An emoji favicon is drawn inline; a :material/...: one is fetched from fonts.gstatic.com (fails offline,
    # and a local tool should not call out at all).
    page_icon="🧪",
    layout="wide",
    initial_sidebar_state="expanded",
)

pages = [
    st.Page(
        "app_pages/inference.py",
        title="Test inference",
        icon=":material/play_circle:",
        default=True,  # at the app's root address (a default page's url_path is ignored)
    ),
    st.Page("app_pages/latency.py", title="Latency", icon=":material/speed:"),
    st.Page("app_pages/compare.py", title="Compare", icon=":material/compare_arrows:"),
    st.Page("app_pages/chat.py", title="Chat", icon=":material/chat:"),
    st.Page("app_pages/history.py", title="History", icon=":material/history:"),
]
navigation = st.navigation(pages, position="sidebar")
page_memory.keep_widget_values()  # before any page draws: a visit elsewhere loses nothing
connection = connection_sidebar.render()
# The invocations' own process starts now and builds its clients while the page loads, not at the first Send.
service_cache.invoker().warm(connection)
navigation.run()
