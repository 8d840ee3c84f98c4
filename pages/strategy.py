import streamlit as st

st.title("strategy")
st.write("This page is being built.")
